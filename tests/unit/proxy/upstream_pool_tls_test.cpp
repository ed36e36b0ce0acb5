#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <catch2/catch.hpp>

#include "core/proxy/upstream_pool.hpp"
#include "tests/support/scripted_server.hpp"
#include "tests/support/test_certificates.hpp"
#include "tests/support/tls_test_server.hpp"
#include "tests/unit/proxy/upstream_pool_harness.hpp"

using namespace keyhop;
using namespace keyhop::proxy;
using namespace keyhop::proxy::testing;

namespace {

// GET /bytes/N: N bytes of the 'a'..'z' pattern; anything else: "ok".
void answer(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
  const std::string& uri = request.getURI();
  if (uri.rfind("/bytes/", 0) != 0) {
    response.setContentLength(2);
    response.send() << "ok";
    return;
  }
  const std::size_t size = std::stoul(uri.substr(7));
  std::string body(size, '\0');
  for (std::size_t i = 0; i < size; ++i) body[i] = static_cast<char>('a' + i % 26);
  response.setContentLength64(static_cast<Poco::Int64>(size));
  response.send().write(body.data(), static_cast<std::streamsize>(size));
}

UpstreamOptions trusting(const test::TestCertificates& certificates) {
  UpstreamOptions options;
  options.ca_file = certificates.caFile().string();
  return options;
}

}  // namespace

TEST_CASE("https upstreams are verified against the configured CA, by name or address", "[proxy]") {
  const test::TestCertificates certificates;  // for localhost and 127.0.0.1
  test::TlsTestServer server(certificates, answer);
  PoolHarness harness(trusting(certificates));
  for (const std::string host : {"127.0.0.1", "localhost"}) {
    const auto target = targetFor(true, host, server.port(), "/");
    Recorder recorder;
    harness.send(target, request("GET", target), recorder);
    REQUIRE(recorder.wait());
    INFO(host << ": " << (recorder.failure ? recorder.failure->message : "ok"));
    REQUIRE(recorder.ended);
    CHECK(recorder.head->status == 200);
    CHECK(recorder.body == "ok");
  }
  CHECK(harness.open() == 2);  // one per origin
}

TEST_CASE("https refuses a certificate the trust store does not vouch for", "[proxy]") {
  const test::TestCertificates certificates;
  test::TlsTestServer server(certificates, answer);
  PoolHarness system_store;  // the test CA is not in it
  const auto target = targetFor(true, "127.0.0.1", server.port(), "/?token=SECRET");
  Recorder recorder;
  system_store.send(target, request("GET", target, {{"Authorization", "Bearer SECRET"}}), recorder);
  REQUIRE(recorder.wait());
  REQUIRE(recorder.failure);
  CHECK(recorder.failure->kind == UpstreamFailureKind::Unreachable);
  INFO(recorder.failure->message);
  CHECK(recorder.failure->message.rfind(target.origin->url + ": certificate refused", 0) == 0);
  CHECK(recorder.failure->message.find("SECRET") == std::string::npos);
  CHECK(system_store.open() == 0);

  // Trusted CA, but the certificate names localhost alone: 127.0.0.1 is refused.
  const test::TestCertificates localhost_only({"localhost"});
  test::TlsTestServer named(localhost_only, answer);
  PoolHarness harness(trusting(localhost_only));
  const auto by_name = targetFor(true, "localhost", named.port(), "/");
  Recorder good;
  harness.send(by_name, request("GET", by_name), good);
  REQUIRE(good.wait());
  CHECK(good.ended);
  const auto by_address = targetFor(true, "127.0.0.1", named.port(), "/");
  Recorder wrong;
  harness.send(by_address, request("GET", by_address), wrong);
  REQUIRE(wrong.wait());
  REQUIRE(wrong.failure);
  CHECK(wrong.failure->kind == UpstreamFailureKind::Unreachable);
  INFO(wrong.failure->message);
  CHECK(wrong.failure->message.rfind(by_address.origin->url + ": certificate refused", 0) == 0);

  // A plain HTTP server where TLS was expected.
  test::ScriptedServer plain_http([](test::ScriptedConnection& connection, int) {
    connection.send("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
  });
  const auto plain = targetFor(true, "127.0.0.1", plain_http.port(), "/");
  Recorder no_tls;
  harness.send(plain, request("GET", plain), no_tls);
  REQUIRE(no_tls.wait());
  REQUIRE(no_tls.failure);
  CHECK(no_tls.failure->kind == UpstreamFailureKind::Unreachable);
  INFO(no_tls.failure->message);
  CHECK(no_tls.failure->message.rfind(plain.origin->url + ": TLS handshake failed", 0) == 0);
}

TEST_CASE("a second https connection resumes the first one's TLS session", "[proxy]") {
  const test::TestCertificates certificates;
  test::TlsTestServer server(certificates, answer);
  PoolHarness harness(trusting(certificates));
  const auto target = targetFor(true, "127.0.0.1", server.port(), "/");
  Recorder first;
  harness.send(target, request("GET", target), first);
  REQUIRE(first.wait());
  REQUIRE(first.ended);
  CHECK(harness.resumedTlsSessions() == 0);

  // Two at once: one takes the idle connection, the other opens a new one.
  Recorder a;
  Recorder b;
  harness.reactor.call([&] {
    harness.pool->send(target.origin, request("GET", target), a);
    harness.pool->send(target.origin, request("GET", target), b);
    return 0;
  });
  REQUIRE(a.wait());
  REQUIRE(b.wait());
  CHECK(a.ended);
  CHECK(b.ended);
  CHECK(harness.open() == 2);
  CHECK(harness.resumedTlsSessions() == 1);
}

TEST_CASE("a large https answer streams with back-pressure", "[proxy]") {
  const test::TestCertificates certificates;
  test::TlsTestServer server(certificates, answer);
  PoolHarness harness(trusting(certificates));
  const auto target = targetFor(true, "127.0.0.1", server.port(), "/bytes/3000000");
  Recorder recorder;
  recorder.keep_body = false;
  std::shared_ptr<UpstreamExchange> exchange;
  bool paused = false;
  int while_paused = 0;
  recorder.on_body = [&](std::string_view) {
    if (paused) ++while_paused;
    paused = true;
    harness.reactor.post([&] {
      paused = false;
      exchange->resume();
    });
    return false;
  };
  harness.reactor.call([&] {  // assigned there: its events may come at once
    exchange = harness.pool->send(target.origin, request("GET", target), recorder);
    return 0;
  });
  REQUIRE(recorder.wait());
  REQUIRE(recorder.ended);
  CHECK(recorder.body_bytes == 3000000);
  CHECK_FALSE(recorder.pattern_broken);
  CHECK(while_paused == 0);
}

TEST_CASE("the upstream pool refuses an unreadable CA file at start-up", "[proxy]") {
  test::ReactorThread reactor;
  UpstreamOptions options;
  options.ca_file = "/nonexistent/ca.pem";
  CHECK_THROWS(UpstreamPool(reactor.loop(), options));
}
