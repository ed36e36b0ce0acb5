#include "core/proxy/upstream_pool.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "tests/fakes/fake_http.hpp"
#include "tests/fakes/fake_provider.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/resident_memory.hpp"
#include "tests/support/scripted_server.hpp"
#include "tests/unit/proxy/upstream_pool_harness.hpp"

using namespace keyhop;
using namespace keyhop::proxy;
using namespace keyhop::proxy::testing;
using namespace std::chrono_literals;
using keyhop::test::residentKiB;

namespace {

const HeaderList kAuth = {{"Authorization", "Bearer key-1"}};

struct Fake {
  Fake() { provider.addCredential("key-1", "user-1"); }
  fakes::FakeProvider provider;
};

Poco::JSON::Object::Ptr json(const std::string& text) {
  return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
}

// The request headers the fake's echo saw, in order.
std::vector<std::pair<std::string, std::string>> echoedHeaders(const Poco::JSON::Object& echo) {
  std::vector<std::pair<std::string, std::string>> headers;
  const auto list = echo.getArray("headers");
  for (std::size_t i = 0; i < list->size(); ++i) {
    const auto header = list->getObject(static_cast<unsigned>(i));
    headers.emplace_back(header->getValue<std::string>("name"),
                         header->getValue<std::string>("value"));
  }
  return headers;
}

std::string answer(const std::string& head, const std::string& body) {
  return head + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

}  // namespace

TEST_CASE("GET and POST reach the provider exactly", "[proxy]") {
  Fake fake;
  PoolHarness harness;

  const auto get = plainTarget(fake.provider.port(), "/api/things?q=a%2Fb&empty=&x=%20");
  HeaderList headers = kAuth;
  headers.push_back({"X-Two", "one"});
  headers.push_back({"X-Two", "two"});
  headers.push_back({"X-Bad", "a\r\nInjected: yes"});  // would split the request: dropped
  Recorder got;
  harness.send(get, request("GET", get, headers), got);
  REQUIRE(got.wait());
  REQUIRE(got.ended);
  REQUIRE(got.head);
  CHECK(got.head->status == 200);
  const auto echo = json(got.body);
  CHECK(echo->getValue<std::string>("method") == "GET");
  CHECK(echo->getValue<std::string>("path") == "/api/things");
  CHECK(echo->getValue<std::string>("query") == "q=a%2Fb&empty=&x=%20");
  const auto seen = echoedHeaders(*echo);
  using Pair = std::pair<std::string, std::string>;
  CHECK(seen == std::vector<Pair>{{"Host", get.origin->host_header},
                                  {"Authorization", "Bearer key-1"},
                                  {"X-Two", "one"},
                                  {"X-Two", "two"}});

  const auto post = plainTarget(fake.provider.port(), "/api/upload");
  std::string binary("a\0b\r\n\xff", 6);
  Recorder posted;
  harness.send(post, request("POST", post, kAuth, binary), posted);
  REQUIRE(posted.wait());
  const auto post_echo = json(posted.body);
  CHECK(post_echo->getValue<std::string>("method") == "POST");
  CHECK(post_echo->getValue<std::uint64_t>("body_size") == 6);
  CHECK(post_echo->getValue<std::string>("body_sha256") == fakes::sha256Hex(binary));
  CHECK(echoedHeaders(*post_echo).back() == Pair{"Content-Length", "6"});

  // A body too large to ride in the head's buffer, and an empty POST (Content-Length: 0).
  std::string large(300 * 1024, 'x');
  for (std::size_t i = 0; i < large.size(); i += 7) large[i] = static_cast<char>(i % 251);
  Recorder put;
  harness.send(post, request("PUT", post, kAuth, large), put);
  Recorder empty;
  harness.send(post, request("POST", post, kAuth), empty);
  REQUIRE(put.wait());
  REQUIRE(empty.wait());
  CHECK(json(put.body)->getValue<std::string>("body_sha256") == fakes::sha256Hex(large));
  const auto empty_echo = json(empty.body);
  CHECK(empty_echo->getValue<std::uint64_t>("body_size") == 0);
  CHECK(echoedHeaders(*empty_echo).back() == Pair{"Content-Length", "0"});
  CHECK(got.events_after_end + posted.events_after_end + put.events_after_end == 0);
}

TEST_CASE("the answer's head comes exactly as the provider sent it", "[proxy]") {
  test::ScriptedServer server([](test::ScriptedConnection& connection, int) {
    while (connection.readRequest()) {
      connection.send(
          answer("HTTP/1.1 299 Quite Fine Indeed\r\nSet-Cookie: a=1; Path=/\r\nx-MiXeD-case: v\r\n"
                 "Set-Cookie: b=2\r\n",
                 "hello"));
    }
  });
  PoolHarness harness;
  const auto target = plainTarget(server.port(), "/");
  Recorder recorder;
  harness.send(target, request("GET", target), recorder);
  REQUIRE(recorder.wait());
  REQUIRE(recorder.ended);
  const UpstreamHead& head = *recorder.head;
  CHECK(head.status == 299);
  CHECK(head.reason == "Quite Fine Indeed");
  REQUIRE(head.headers.size() == 4);
  CHECK(head.headers[0].name == "Set-Cookie");
  CHECK(head.headers[0].value == "a=1; Path=/");
  CHECK(head.headers[1].name == "x-MiXeD-case");
  CHECK(head.headers[2].value == "b=2");
  CHECK(head.headers[3].name == "Content-Length");
  CHECK(head.content_length == 5u);
  CHECK(head.has_body);
  CHECK(recorder.body == "hello");
}

TEST_CASE("HEAD, 204 and 304 answers have no body and keep the connection", "[proxy]") {
  Fake fake;
  PoolHarness harness;
  const auto head_target = plainTarget(fake.provider.port(), "/api/bytes/1000");
  Recorder head;
  harness.send(head_target, request("HEAD", head_target, kAuth), head);
  REQUIRE(head.wait());
  REQUIRE(head.ended);
  CHECK_FALSE(head.head->has_body);
  CHECK(head.head->content_length == 1000u);  // what a GET would get
  CHECK(head.body_bytes == 0);

  for (const int status : {204, 304}) {
    const auto target = plainTarget(fake.provider.port(), "/api/status/" + std::to_string(status));
    Recorder recorder;
    harness.send(target, request("GET", target, kAuth), recorder);
    REQUIRE(recorder.wait());
    REQUIRE(recorder.ended);
    CHECK(recorder.head->status == status);
    CHECK_FALSE(recorder.head->has_body);
  }

  // The connection is still in step: a GET after them gets its whole body.
  const auto get = plainTarget(fake.provider.port(), "/api/bytes/1000");
  Recorder after;
  harness.send(get, request("GET", get, kAuth), after);
  REQUIRE(after.wait());
  CHECK(after.body_bytes == 1000);
  CHECK(harness.open() == 1);
}

TEST_CASE("Content-Length, chunked and close-delimited bodies stream in pieces", "[proxy]") {
  Fake fake;
  PoolHarness harness;

  const auto sized = plainTarget(fake.provider.port(), "/api/bytes/1000000");
  Recorder by_length;
  harness.send(sized, request("GET", sized, kAuth), by_length);
  REQUIRE(by_length.wait());
  REQUIRE(by_length.ended);
  CHECK(by_length.head->content_length == 1000000u);
  CHECK(by_length.body_bytes == 1000000);
  CHECK_FALSE(by_length.pattern_broken);
  CHECK(by_length.pieces.size() > 1);

  const auto chunked = plainTarget(fake.provider.port(), "/api/chunked/300000?chunk=7000");
  Recorder by_chunks;
  harness.send(chunked, request("GET", chunked, kAuth), by_chunks);
  REQUIRE(by_chunks.wait());
  REQUIRE(by_chunks.ended);
  CHECK_FALSE(by_chunks.head->content_length);
  CHECK(by_chunks.body_bytes == 300000);
  CHECK_FALSE(by_chunks.pattern_broken);
  CHECK(by_chunks.pieces.size() > 1);
  CHECK(harness.open() == 1);  // both on one kept-alive connection

  test::ScriptedServer server([](test::ScriptedConnection& connection, int) {
    if (!connection.readRequest()) return;
    connection.send("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n");
    std::this_thread::sleep_for(20ms);
    connection.send("abcdefghij");
    std::this_thread::sleep_for(20ms);
    connection.send("klmnopqrstuvwxyz");
  });
  const auto delimited = plainTarget(server.port(), "/");
  Recorder by_close;
  harness.send(delimited, request("GET", delimited), by_close);
  REQUIRE(by_close.wait());
  REQUIRE(by_close.ended);
  CHECK_FALSE(by_close.head->content_length);
  CHECK(by_close.body == "abcdefghijklmnopqrstuvwxyz");
  CHECK(by_close.pieces.size() >= 2);
  CHECK(harness.eventually([](UpstreamPool& pool) { return pool.openConnections() == 1; }));
}

TEST_CASE("a paused observer gets nothing until it resumes, for every framing", "[proxy]") {
  Fake fake;
  PoolHarness harness;
  for (const std::string path : {"/api/bytes/200000", "/api/chunked/200000?chunk=3000"}) {
    // Resumed from the reactor's next turn, or at once from inside onBody (before it returns).
    for (const bool resume_inside : {false, true}) {
      const auto target = plainTarget(fake.provider.port(), path);
      Recorder recorder;
      std::shared_ptr<UpstreamExchange> exchange;
      bool paused = false;
      int while_paused = 0;
      recorder.on_body = [&](std::string_view) {  // a pause after every piece
        if (paused) ++while_paused;
        if (resume_inside) {
          exchange->resume();
          return false;
        }
        paused = true;
        harness.reactor.post([&] {
          paused = false;
          exchange->resume();
        });
        return false;
      };
      harness.reactor.call([&] {  // assigned there: its events may come at once
        exchange = harness.pool->send(target.origin, request("GET", target, kAuth), recorder);
        return 0;
      });
      REQUIRE(recorder.wait());
      REQUIRE(recorder.ended);
      CHECK(recorder.body_bytes == 200000);
      CHECK_FALSE(recorder.pattern_broken);
      CHECK(while_paused == 0);
    }
  }
  CHECK(harness.open() == 1);
}

TEST_CASE("back-pressure: a 50 MB answer is never held whole", "[proxy]") {
  Fake fake;
  PoolHarness harness;
  constexpr std::uint64_t kSize = 50ull * 1024 * 1024;
  constexpr std::size_t kWindow = 1024 * 1024;  // what the slow client holds at most
  const auto target = plainTarget(fake.provider.port(), "/api/bytes/" + std::to_string(kSize));

  Recorder recorder;
  recorder.keep_body = false;
  std::shared_ptr<UpstreamExchange> exchange;
  std::size_t held = 0;
  std::size_t max_held = 0;
  std::size_t largest_piece = 0;
  bool paused = false;
  int while_paused = 0;
  int pauses = 0;
  const long rss_before = residentKiB();
  long rss_peak = rss_before;
  recorder.on_body = [&](std::string_view bytes) {
    if (paused) ++while_paused;
    held += bytes.size();
    max_held = std::max(max_held, held);
    largest_piece = std::max(largest_piece, bytes.size());
    if (held < kWindow) return true;
    paused = true;
    ++pauses;
    rss_peak = std::max(rss_peak, residentKiB());
    return false;
  };
  // The slow client drains its window on the reactor's tick, every 10 ms.
  harness.reactor.setTick([&](std::chrono::steady_clock::time_point now) {
    harness.pool->checkTimeouts(now);
    if (!paused) return;
    paused = false;
    held = 0;
    exchange->resume();
  });
  const auto started = std::chrono::steady_clock::now();
  harness.reactor.call([&] {  // assigned there: its events may come at once
    exchange = harness.pool->send(target.origin, request("GET", target, kAuth), recorder);
    return 0;
  });
  REQUIRE(recorder.wait(20s));
  const auto elapsed = std::chrono::steady_clock::now() - started;
  harness.reactor.setTick({});
  REQUIRE(recorder.ended);
  CHECK(recorder.body_bytes == kSize);
  CHECK_FALSE(recorder.pattern_broken);
  CHECK(while_paused == 0);
  CHECK(pauses >= 40);
  CHECK(largest_piece <= 64 * 1024);
  CHECK(max_held < kWindow + 64 * 1024);
  CHECK(rss_peak - rss_before < 16 * 1024);  // KiB: the process (fake included) grew < 16 MB
  WARN("50 MB with back-pressure: "
       << pauses << " pauses, largest piece " << largest_piece << " B, RSS growth "
       << (rss_peak - rss_before) << " KiB, "
       << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() << " ms");
}

TEST_CASE("sequential exchanges share one kept-alive connection", "[proxy]") {
  Fake fake;
  PoolHarness harness;
  const auto target = plainTarget(fake.provider.port(), "/api/echo");
  constexpr int kExchanges = 300;
  std::vector<std::unique_ptr<Recorder>> recorders;
  for (int i = 0; i < kExchanges; ++i) recorders.push_back(std::make_unique<Recorder>());
  // Each next exchange starts from the previous one's onEnd, on the reactor's thread.
  std::atomic<int> peak_open{0};
  for (int i = 0; i + 1 < kExchanges; ++i) {
    Recorder* next = recorders[static_cast<std::size_t>(i + 1)].get();
    recorders[static_cast<std::size_t>(i)]->on_end = [&, next] {
      peak_open = std::max<int>(peak_open, static_cast<int>(harness.pool->openConnections()));
      harness.pool->send(target.origin, request("GET", target, kAuth), *next);
    };
  }
  const auto started = std::chrono::steady_clock::now();
  harness.send(target, request("GET", target, kAuth), *recorders.front());
  REQUIRE(recorders.back()->wait());
  const auto elapsed = std::chrono::steady_clock::now() - started;
  int ended = 0;
  for (auto& recorder : recorders) ended += recorder->ended ? 1 : 0;
  CHECK(ended == kExchanges);
  CHECK(peak_open == 1);
  CHECK(harness.open() == 1);
  CHECK(harness.idle() == 1);
  const double seconds = std::chrono::duration<double>(elapsed).count();
  WARN("sequential exchanges on one connection to the fake: " << kExchanges / seconds << "/s");
}

TEST_CASE("connections are bounded per origin, extra exchanges wait their turn", "[proxy]") {
  Fake fake;
  UpstreamOptions options;
  options.max_connections_per_origin = 2;
  options.max_idle_per_origin = 1;
  PoolHarness harness(options);
  const auto target = plainTarget(fake.provider.port(), "/api/echo");
  std::vector<std::unique_ptr<Recorder>> recorders;
  const std::size_t open_at_start = harness.reactor.call([&] {
    for (int i = 0; i < 6; ++i) {
      recorders.push_back(std::make_unique<Recorder>());
      harness.pool->send(target.origin, request("GET", target, kAuth), *recorders.back());
    }
    return harness.pool->openConnections();
  });
  CHECK(open_at_start == 2);
  for (auto& recorder : recorders) {
    REQUIRE(recorder->wait());
    CHECK(recorder->ended);
  }
  // Two were open; one is kept idle, the other closed.
  CHECK(harness.eventually([](UpstreamPool& pool) { return pool.openConnections() == 1; }));
  CHECK(harness.idle() == 1);
}

TEST_CASE("idle connections close after the idle timeout, or when the provider closes them",
          "[proxy]") {
  Fake fake;
  UpstreamOptions options;
  options.idle_timeout = 100ms;
  PoolHarness harness(options);
  const auto target = plainTarget(fake.provider.port(), "/api/echo");
  Recorder recorder;
  harness.send(target, request("GET", target, kAuth), recorder);
  REQUIRE(recorder.wait());
  CHECK(harness.idle() == 1);
  CHECK(harness.eventually([](UpstreamPool& pool) { return pool.openConnections() == 0; }));

  // A provider that closes a kept-alive connection while it is idle.
  test::ScriptedServer server([](test::ScriptedConnection& connection, int) {
    if (connection.readRequest()) connection.send(answer("HTTP/1.1 200 OK\r\n", "ok"));
    std::this_thread::sleep_for(50ms);
  });
  PoolHarness watching;
  const auto scripted = plainTarget(server.port(), "/");
  Recorder first;
  watching.send(scripted, request("GET", scripted), first);
  REQUIRE(first.wait());
  CHECK(watching.eventually([](UpstreamPool& pool) { return pool.openConnections() == 0; }));
}

TEST_CASE("a kept-alive connection the provider had closed is retried once, fresh", "[proxy]") {
  // The provider answers one request per connection, then drops the connection under the next
  // one: the race of a provider closing an idle connection just as a request goes out.
  test::ScriptedServer server([](test::ScriptedConnection& connection, int) {
    if (connection.readRequest()) connection.send(answer("HTTP/1.1 200 OK\r\n", "ok"));
    connection.readRequest();
  });
  PoolHarness harness;
  const auto target = plainTarget(server.port(), "/");
  Recorder first;
  harness.send(target, request("POST", target, {}, "one"), first);
  REQUIRE(first.wait());
  Recorder second;
  harness.send(target, request("POST", target, {}, "two"), second);
  REQUIRE(second.wait());
  REQUIRE(second.ended);
  CHECK(second.body == "ok");
  CHECK(server.connections() == 2);
  const auto requests = server.requests();
  REQUIRE(requests.size() == 3);
  CHECK(requests[1] == requests[2]);  // the same bytes, sent again
  CHECK(requests[2].find("\r\n\r\ntwo") != std::string::npos);

  // When the fresh connection fails too, that failure is final.
  test::ScriptedServer dropping([](test::ScriptedConnection& connection, int index) {
    if (index == 0 && connection.readRequest()) {
      connection.send(answer("HTTP/1.1 200 OK\r\n", "ok"));
    }
    connection.readRequest();
  });
  const auto dropped_target = plainTarget(dropping.port(), "/");
  Recorder warm;
  harness.send(dropped_target, request("GET", dropped_target), warm);
  REQUIRE(warm.wait());
  Recorder lost;
  harness.send(dropped_target, request("GET", dropped_target), lost);
  REQUIRE(lost.wait());
  REQUIRE(lost.failure);
  CHECK(lost.failure->kind == UpstreamFailureKind::Protocol);
  CHECK(lost.failure->message ==
        dropped_target.origin->url + ": the connection closed without an answer");
  CHECK_FALSE(lost.failure->head_received);
  CHECK(dropping.connections() == 2);

  // A fresh connection that closes without an answer is not retried at all.
  test::ScriptedServer closing(
      [](test::ScriptedConnection& connection, int) { connection.readRequest(); });
  const auto closing_target = plainTarget(closing.port(), "/");
  Recorder unanswered;
  harness.send(closing_target, request("GET", closing_target), unanswered);
  REQUIRE(unanswered.wait());
  REQUIRE(unanswered.failure);
  CHECK(unanswered.failure->kind == UpstreamFailureKind::Protocol);
  CHECK(closing.connections() == 1);
}

TEST_CASE("a refused connection is Unreachable, reported after send returns", "[proxy]") {
  PoolHarness harness;
  const auto target = plainTarget(test::freePort(), "/x?secret=SECRET");
  Recorder recorder;
  const bool failed_inside_send = harness.reactor.call([&] {
    harness.pool->send(target.origin, request("GET", target, {{"Authorization", "Bearer SECRET"}}),
                       recorder);
    return recorder.finished();
  });
  CHECK_FALSE(failed_inside_send);
  REQUIRE(recorder.wait());
  REQUIRE(recorder.failure);
  CHECK(recorder.failure->kind == UpstreamFailureKind::Unreachable);
  CHECK(recorder.failure->message == target.origin->url + ": connection refused");
  CHECK(harness.open() == 0);

  // Plain http leaves loopback never.
  const auto outside = targetFor(false, "example.com", 80, "/");
  Recorder refused;
  harness.send(outside, request("GET", outside), refused);
  REQUIRE(refused.wait());
  REQUIRE(refused.failure);
  CHECK(refused.failure->kind == UpstreamFailureKind::Unreachable);
  CHECK(refused.failure->message.rfind("http://example.com:80: ", 0) == 0);
}

TEST_CASE("a provider that does not answer in time is a Timeout", "[proxy]") {
  test::ScriptedServer server([](test::ScriptedConnection& connection, int index) {
    if (!connection.readRequest()) return;
    if (index == 1) connection.send("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
    connection.stall();
  });
  UpstreamOptions options;
  options.read_timeout = 100ms;
  PoolHarness harness(options);
  const auto target = plainTarget(server.port(), "/slow");
  for (const bool head_first : {false, true}) {
    Recorder recorder;
    const auto started = std::chrono::steady_clock::now();
    harness.send(target, request("GET", target), recorder);
    REQUIRE(recorder.wait());
    const auto waited = std::chrono::steady_clock::now() - started;
    REQUIRE(recorder.failure);
    CHECK(recorder.failure->kind == UpstreamFailureKind::Timeout);
    CHECK(recorder.failure->head_received == head_first);
    CHECK(recorder.failure->message.rfind(target.origin->url + ": ", 0) == 0);
    CHECK(waited >= 100ms);
    CHECK(waited < 1s);
  }
  CHECK(harness.open() == 0);
}

TEST_CASE("a connect that does not complete in time is a Timeout", "[proxy]") {
  // A listener whose accept queue is full: the kernel drops further SYNs, so connecting hangs.
  Poco::Net::ServerSocket listener(Poco::Net::SocketAddress("127.0.0.1", 0), 0);
  std::vector<Poco::Net::StreamSocket> fillers(2);
  for (auto& filler : fillers) {
    filler.connectNB(listener.address());
    std::this_thread::sleep_for(10ms);
  }
  UpstreamOptions options;
  options.connect_timeout = 100ms;
  PoolHarness harness(options);
  const auto target = plainTarget(listener.address().port(), "/");
  Recorder recorder;
  harness.send(target, request("GET", target), recorder);
  REQUIRE(recorder.wait());
  REQUIRE(recorder.failure);
  CHECK(recorder.failure->kind == UpstreamFailureKind::Timeout);
  CHECK(recorder.failure->message == target.origin->url + ": connecting timed out");
  CHECK(harness.open() == 0);
}

TEST_CASE("an answer that does not keep the connection alive is not pooled", "[proxy]") {
  for (const std::string status_line :
       {"HTTP/1.1 200 OK\r\nConnection: close\r\n", "HTTP/1.0 200 OK\r\n"}) {
    test::ScriptedServer server([&](test::ScriptedConnection& connection, int) {
      if (!connection.readRequest()) return;
      connection.send(answer(status_line, "ok"));
      connection.stall();  // the socket stays open: only the answer says to close
    });
    PoolHarness harness;
    const auto target = plainTarget(server.port(), "/");
    Recorder recorder;
    harness.send(target, request("GET", target), recorder);
    REQUIRE(recorder.wait());
    CHECK(recorder.ended);
    CHECK(recorder.body == "ok");
    CHECK(harness.open() == 0);
  }
}

TEST_CASE("an answer that is not HTTP, or breaks off, is a Protocol failure", "[proxy]") {
  const std::vector<std::pair<std::string, bool>> answers = {
      {"SSH-2.0-OpenSSH_9.2\r\n\r\n", false},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\nzz\r\n", true},
      {"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this", true},
      {"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", false},
  };
  for (const auto& [bytes, head_received] : answers) {
    test::ScriptedServer server([bytes = bytes](test::ScriptedConnection& connection, int) {
      if (connection.readRequest()) connection.send(bytes);
    });
    PoolHarness harness;
    const auto target = plainTarget(server.port(), "/");
    Recorder recorder;
    harness.send(target, request("GET", target), recorder);
    REQUIRE(recorder.wait());
    REQUIRE(recorder.failure);
    CHECK(recorder.failure->kind == UpstreamFailureKind::Protocol);
    CHECK(recorder.failure->head_received == head_received);
    CHECK(recorder.failure->message.rfind(target.origin->url + ": ", 0) == 0);
    CHECK(harness.open() == 0);
  }
}

TEST_CASE("interim 1xx answers are skipped", "[proxy]") {
  test::ScriptedServer server([](test::ScriptedConnection& connection, int) {
    if (!connection.readRequest()) return;
    connection.send("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n");
    connection.send(answer("HTTP/1.1 201 Created\r\n", "made"));
  });
  PoolHarness harness;
  const auto target = plainTarget(server.port(), "/");
  Recorder recorder;
  harness.send(target, request("POST", target, {}, "x"), recorder);
  REQUIRE(recorder.wait());
  REQUIRE(recorder.ended);
  CHECK(recorder.head->status == 201);
  CHECK(recorder.body == "made");
}

TEST_CASE("a cancelled exchange gets no more events and its connection closes", "[proxy]") {
  Fake fake;
  PoolHarness harness;
  const auto target = plainTarget(fake.provider.port(), "/api/bytes/5000000");
  Recorder recorder;
  std::shared_ptr<UpstreamExchange> exchange;
  std::atomic<bool> cancelled{false};
  recorder.on_body = [&](std::string_view) {
    exchange->cancel();  // from inside a callback
    cancelled = true;
    return true;
  };
  harness.reactor.call([&] {  // assigned there: its events may come at once
    exchange = harness.pool->send(target.origin, request("GET", target, kAuth), recorder);
    return 0;
  });
  CHECK(harness.eventually(
      [&](UpstreamPool& pool) { return cancelled && pool.openConnections() == 0; }));
  std::this_thread::sleep_for(50ms);
  CHECK_FALSE(recorder.finished());
  CHECK(recorder.pieces.size() == 1);

  // Cancelled while waiting for a connection: nothing at all.
  test::ScriptedServer silent([](test::ScriptedConnection& connection, int) {
    connection.readRequest();
    connection.stall();
  });
  const auto silent_target = plainTarget(silent.port(), "/");
  Recorder waiting;
  harness.reactor.call([&] {
    harness.pool->send(silent_target.origin, request("GET", silent_target), waiting)->cancel();
    return 0;
  });
  CHECK(harness.eventually([](UpstreamPool& pool) { return pool.openConnections() == 0; }));
  CHECK_FALSE(waiting.finished());
}
