// Request bodies that follow the head (UpstreamRequest::body_follows): the proxy's streamed
// uploads, written into the exchange as they arrive from the client.

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/SHA2Engine.h>

#include <catch2/catch.hpp>
#include <string>

#include "core/proxy/upstream_pool.hpp"
#include "tests/fakes/fake_provider.hpp"
#include "tests/support/scripted_server.hpp"
#include "tests/unit/proxy/upstream_pool_harness.hpp"

using namespace keyhop;
using namespace keyhop::proxy;
using namespace keyhop::proxy::testing;
using namespace std::chrono_literals;

namespace {

// Writes `size` bytes into its exchange in 64 KiB pieces whenever the exchange takes them, then
// finishes the body; the answer's events go to `recorder`. Runs on the reactor's thread.
class Uploader final : public UpstreamObserver {
 public:
  Uploader(Recorder& recorder, std::size_t size) : recorder_(recorder), left_(size) {}

  void start(std::shared_ptr<UpstreamExchange> exchange) {
    exchange_ = std::move(exchange);
    writeMore();
  }

  void onHead(const UpstreamHeadView& head) override { recorder_.onHead(head); }
  bool onBody(std::string_view bytes) override { return recorder_.onBody(bytes); }
  void onEnd() override { recorder_.onEnd(); }
  void onFailure(const UpstreamFailure& failure) override { recorder_.onFailure(failure); }
  void onBodyWanted() override {
    ++resumed;
    writeMore();
  }

  std::string sha256() { return Poco::DigestEngine::digestToHex(digest_.digest()); }

  int waits = 0;    // write() said "wait"
  int resumed = 0;  // onBodyWanted came

 private:
  void writeMore() {
    std::string piece(64 * 1024, '\0');
    while (left_ > 0) {
      const std::size_t n = std::min(piece.size(), left_);
      for (std::size_t i = 0; i < n; ++i) piece[i] = static_cast<char>('A' + (written_ + i) % 23);
      digest_.update(piece.data(), n);
      written_ += n;
      left_ -= n;
      if (!exchange_->write(std::string_view(piece.data(), n))) {
        ++waits;
        return;
      }
    }
    exchange_->finish();
  }

  Recorder& recorder_;
  std::shared_ptr<UpstreamExchange> exchange_;
  std::size_t left_;
  std::size_t written_ = 0;
  Poco::SHA2Engine digest_{Poco::SHA2Engine::SHA_256};
};

}  // namespace

TEST_CASE("a body that follows goes out as it is written, no faster than it is sent", "[proxy]") {
  fakes::FakeProvider fake;
  fake.addCredential("key-1", "user-1");
  PoolHarness harness;
  constexpr std::size_t kSize = 8 * 1024 * 1024;
  for (const bool chunked : {false, true}) {
    DYNAMIC_SECTION((chunked ? "chunked" : "with Content-Length")) {
      const auto target = plainTarget(fake.port(), "/api/upload");
      OwnedRequest outgoing = request("PUT", target, {{"Authorization", "Bearer key-1"}});
      outgoing.body_follows = true;
      if (!chunked) outgoing.body_length = kSize;
      Recorder got;
      Uploader uploader(got, kSize);
      harness.reactor.call([&] {
        uploader.start(harness.pool->send(target.origin, outgoing, uploader));
        return 0;
      });
      REQUIRE(got.wait(30s));
      REQUIRE(got.ended);
      REQUIRE(got.head->status == 200);
      const auto echo = Poco::JSON::Parser().parse(got.body).extract<Poco::JSON::Object::Ptr>();
      CHECK(echo->getValue<std::uint64_t>("body_size") == kSize);
      CHECK(echo->getValue<std::string>("body_sha256") == uploader.sha256());
      CHECK(uploader.waits > 0);  // 8 MiB did not sit queued: the writer was held back
      CHECK(uploader.resumed == uploader.waits);
      CHECK(harness.idle() == 1);  // complete on both sides: the connection is kept
    }
  }
}

TEST_CASE("an exchange whose following body has started is not sent again on a stale connection",
          "[proxy]") {
  // Answers the first request, then drops the connection under the next one.
  test::ScriptedServer server([](test::ScriptedConnection& connection, int) {
    if (connection.readRequest()) {
      connection.send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    }
    connection.readRequest();
  });
  PoolHarness harness;
  const auto target = plainTarget(server.port(), "/");
  Recorder warm;
  harness.send(target, request("GET", target), warm);
  REQUIRE(warm.wait());
  REQUIRE(harness.idle() == 1);

  OwnedRequest outgoing = request("POST", target);
  outgoing.body_follows = true;
  outgoing.body_length = 3;
  Recorder lost;
  harness.reactor.call([&] {
    const auto exchange = harness.pool->send(target.origin, outgoing, lost);
    exchange->write("two");  // leaves at once on the kept-alive connection
    exchange->finish();
    return 0;
  });
  REQUIRE(lost.wait());
  REQUIRE(lost.failure);  // the bytes that left cannot be sent again: the failure is final
  CHECK(lost.failure->kind == UpstreamFailureKind::Protocol);
  CHECK(server.connections() == 1);
}
