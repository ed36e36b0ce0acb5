#include "core/flows/http_client.hpp"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <catch2/catch.hpp>

#include "tests/fakes/fake_provider.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/test_certificates.hpp"
#include "tests/support/tls_test_server.hpp"

using namespace keyhop;
using namespace keyhop::flows;

TEST_CASE("the client sends headers and body and reads the whole answer", "[flows]") {
  fakes::FakeProvider fake;
  fake.addCredential("key-1", "user-9");
  const HttpClient http;
  const HttpResult answer =
      http.send(OutgoingRequest{"POST",
                                fake.url() + "/api/echo?x=1",
                                {{"Authorization", "Bearer key-1"}, {"X-Two", "a"}},
                                "hello"});
  REQUIRE(answer);
  CHECK(answer.response().status == 200);
  CHECK(answer.response().header("content-type").find("json") != std::string::npos);
  CHECK(answer.response().body.find("\"user\":\"user-9\"") != std::string::npos);
  CHECK(answer.response().body.find("\"body_size\":5") != std::string::npos);
  CHECK(answer.response().body.find("\"query\":\"x=1\"") != std::string::npos);
}

TEST_CASE("plain http goes only to loopback hosts", "[flows]") {
  CHECK(isLoopbackHost("127.0.0.1"));
  CHECK(isLoopbackHost("127.8.9.10"));
  CHECK(isLoopbackHost("[::1]"));
  CHECK(isLoopbackHost("LocalHost"));
  CHECK_FALSE(isLoopbackHost("10.0.0.1"));
  CHECK_FALSE(isLoopbackHost("example.com"));

  const HttpClient http;
  const HttpResult refused =
      http.send(OutgoingRequest{"POST", "http://example.com/token?code=SECRET", {}, "x"});
  REQUIRE_FALSE(refused);
  CHECK(refused.failure().kind == HttpFailureKind::Protocol);
  CHECK(refused.failure().message.find("loopback") != std::string::npos);
  CHECK(refused.failure().message.find("SECRET") == std::string::npos);
  CHECK_FALSE(http.send(OutgoingRequest{"GET", "ftp://127.0.0.1/x", {}, {}}));
  CHECK_FALSE(http.send(OutgoingRequest{"GET", "not a url", {}, {}}));
}

TEST_CASE("an answer over the size cap is a protocol failure", "[flows]") {
  fakes::FakeProvider fake;
  fake.addCredential("key-1", "user-9");
  HttpClientOptions options;
  options.max_body_bytes = 1000;
  const HttpClient http(options);
  const HeaderList auth = {{"Authorization", "Bearer key-1"}};
  CHECK(http.send(OutgoingRequest{"GET", fake.url() + "/api/bytes/1000", auth, {}}));
  const HttpResult big =
      http.send(OutgoingRequest{"GET", fake.url() + "/api/bytes/1001", auth, {}});
  REQUIRE_FALSE(big);
  CHECK(big.failure().kind == HttpFailureKind::Protocol);
  const HttpResult chunked =
      http.send(OutgoingRequest{"GET", fake.url() + "/api/chunked/5000?chunk=100", auth, {}});
  REQUIRE_FALSE(chunked);
  CHECK(chunked.failure().kind == HttpFailureKind::Protocol);
}

TEST_CASE("timeouts and refused connections are failures that name no secret", "[flows]") {
  fakes::FakeProvider fake;
  fake.configure(
      [](fakes::Options& o) { o.delays[fakes::Endpoint::Token] = std::chrono::milliseconds(700); });
  HttpClientOptions options;
  options.read_timeout = std::chrono::milliseconds(100);
  const HttpClient http(options);
  const HttpResult slow = http.send(OutgoingRequest{
      "POST", fake.url() + "/oauth/token", {{"Authorization", "Basic SECRET"}}, "code=SECRET"});
  REQUIRE_FALSE(slow);
  CHECK(slow.failure().kind == HttpFailureKind::Timeout);
  CHECK(slow.failure().message == "POST http://127.0.0.1/oauth/token: timed out");

  const std::string closed = "http://127.0.0.1:" + std::to_string(test::freePort()) + "/x";
  const HttpResult refused = http.send(OutgoingRequest{"GET", closed, {}, {}});
  REQUIRE_FALSE(refused);
  CHECK(refused.failure().kind == HttpFailureKind::Unreachable);
}

namespace {

void answerOk(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& response) {
  response.setContentLength(2);
  response.send() << "ok";
}

}  // namespace

TEST_CASE("https trusts the configured CA file, checks the host name, refuses the rest",
          "[flows]") {
  const test::TestCertificates certificates;  // for localhost and 127.0.0.1
  test::TlsTestServer server(certificates, answerOk);
  const std::string server_port = std::to_string(server.port());
  HttpClientOptions options;
  options.ca_file = certificates.caFile().string();
  const HttpClient trusting(options);
  const HttpClient system;

  for (const std::string host : {"localhost", "127.0.0.1"}) {
    const HttpResult ok = trusting.send(
        OutgoingRequest{"GET", "https://" + host + ":" + server_port + "/", {}, {}});
    REQUIRE(ok);
    CHECK(ok.response().body == "ok");
  }

  // The test CA is not in the system's store.
  const HttpResult untrusted =
      system.send(OutgoingRequest{"GET", "https://localhost:" + server_port + "/", {}, {}});
  REQUIRE_FALSE(untrusted);
  CHECK(untrusted.failure().kind == HttpFailureKind::Unreachable);

  // Trusted, but for localhost alone: VERIFY_STRICT checks the name.
  const test::TestCertificates localhost_only({"localhost"});
  test::TlsTestServer named(localhost_only, answerOk);
  const std::string named_port = std::to_string(named.port());
  HttpClientOptions trusting_named;
  trusting_named.ca_file = localhost_only.caFile().string();
  const HttpClient client(trusting_named);
  CHECK(client.send(OutgoingRequest{"GET", "https://localhost:" + named_port + "/", {}, {}}));
  const HttpResult wrong_name =
      client.send(OutgoingRequest{"GET", "https://127.0.0.1:" + named_port + "/", {}, {}});
  REQUIRE_FALSE(wrong_name);
  CHECK(wrong_name.failure().kind == HttpFailureKind::Unreachable);
}

TEST_CASE("https to a server that does not speak TLS fails", "[flows]") {
  fakes::FakeProvider fake;
  const HttpClient http;
  const HttpResult answer = http.send(
      OutgoingRequest{"GET", "https://127.0.0.1:" + std::to_string(fake.port()) + "/", {}, {}});
  REQUIRE_FALSE(answer);
  CHECK(answer.failure().kind == HttpFailureKind::Unreachable);
}

TEST_CASE("a CA file that cannot be read fails at start-up", "[flows]") {
  HttpClientOptions options;
  options.ca_file = "/nonexistent/ca.pem";
  CHECK_THROWS(HttpClient(options));
}
