#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <future>
#include <thread>

#include "tests/integration/proxy_harness.hpp"

using keyhop::fakes::CannedResponse;
using keyhop::fakes::Endpoint;
using keyhop::proxy::testing::kUser;
using keyhop::proxy::testing::ProxyFixture;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

namespace {

const CannedResponse kBusy{503, {{"X-Busy", "yes"}}, "try later"};

}  // namespace

TEST_CASE("A busy provider is asked again with Keyhop-Retries until it answers", "[proxy]") {
  ProxyFixture f;
  f.fake().failNext(Endpoint::Api, 2, kBusy);
  const auto result = f.call("GET", "me", "", {{"Keyhop-Retries", "3"}});
  CHECK(result.status == 200);
  CHECK(result.header("Keyhop-Error").empty());
  CHECK(result.body.find("Keyhop-Retries") == std::string::npos);  // never forwarded
  CHECK(f.fake().counters().api_calls == 3);
}

TEST_CASE("Retry-After is waited before the retry", "[proxy]") {
  ProxyFixture f;
  f.fake().failNext(Endpoint::Api, 1, {429, {{"Retry-After", "1"}}, ""});
  const auto start = Clock::now();
  const auto result = f.call("DELETE", "items/1", "", {{"Keyhop-Retries", "1"}});
  const auto elapsed = Clock::now() - start;
  CHECK(result.status == 200);
  CHECK(elapsed >= milliseconds(1000));
  CHECK(elapsed < milliseconds(3000));
  CHECK(f.fake().counters().api_calls == 2);
}

TEST_CASE("Without Keyhop-Retries, or for a POST, the busy answer goes to the client", "[proxy]") {
  ProxyFixture f;
  f.fake().failNext(Endpoint::Api, 1, kBusy);
  CHECK(f.call("GET", "me").status == 503);
  CHECK(f.fake().counters().api_calls == 1);

  f.fake().failNext(Endpoint::Api, 1, kBusy);
  const auto posted = f.call("POST", "items", "{}", {{"Keyhop-Retries", "3"}});
  CHECK(posted.status == 503);
  CHECK(posted.header("Keyhop-Error").empty());
  CHECK(f.fake().counters().api_calls == 2);
}

TEST_CASE("When the retries are spent, the last answer goes to the client unchanged", "[proxy]") {
  ProxyFixture f;
  f.fake().failNext(Endpoint::Api, 3, kBusy);
  const auto result = f.call("PUT", "items/1", "{}", {{"Keyhop-Retries", "2"}});
  CHECK(result.status == 503);
  CHECK(result.body == "try later");
  CHECK(result.header("X-Busy") == "yes");
  CHECK(result.header("Keyhop-Error").empty());
  CHECK(f.fake().counters().api_calls == 3);
}

TEST_CASE("A Keyhop-Retries that is not 0 to 5 is refused before the provider is called",
          "[proxy]") {
  ProxyFixture f;
  for (const std::string value : {"6", "-1", "many", "1.5", ""}) {
    for (const std::string method : {"GET", "POST"}) {
      INFO(method << " Keyhop-Retries: '" << value << "'");
      const auto result = f.call(method, "me", "", {{"Keyhop-Retries", value}});
      CHECK(result.status == 400);
      CHECK(result.header("Keyhop-Error") == "invalid_retries");
    }
  }
  CHECK(f.fake().counters().api_calls == 0);
}

TEST_CASE("A wait longer than the cap is not waited: the answer goes to the client at once",
          "[proxy]") {
  ProxyFixture f;
  f.fake().failNext(Endpoint::Api, 1, {429, {{"Retry-After", "60"}}, "slow down"});
  const auto start = Clock::now();
  const auto result = f.call("GET", "me", "", {{"Keyhop-Retries", "5"}});
  CHECK(Clock::now() - start < milliseconds(1000));
  CHECK(result.status == 429);
  CHECK(result.header("Retry-After") == "60");
  CHECK(result.body == "slow down");
  CHECK(f.fake().counters().api_calls == 1);
}

TEST_CASE("A client that leaves during the wait is not retried for", "[proxy]") {
  ProxyFixture f;
  f.fake().failNext(Endpoint::Api, 1, {503, {{"Retry-After", "1"}}, ""});
  Poco::Net::StreamSocket client(Poco::Net::SocketAddress("127.0.0.1", f.api().port()));
  const std::string request =
      "GET /proxy/proxied/me HTTP/1.1\r\nHost: keyhop\r\n"
      "Authorization: Bearer " +
      f.secretKey() + "\r\nKeyhop-User-Id: " + kUser + "\r\nKeyhop-Retries: 1\r\n\r\n";
  client.sendBytes(request.data(), static_cast<int>(request.size()));
  const auto give_up = Clock::now() + milliseconds(3000);
  while (f.fake().counters().api_calls == 0 && Clock::now() < give_up) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  REQUIRE(f.fake().counters().api_calls == 1);
  std::this_thread::sleep_for(milliseconds(200));  // keyhop has the 503 and waits
  client.setLinger(true, 0);                       // a reset: keyhop sees the client gone
  client.close();
  std::this_thread::sleep_for(milliseconds(1300));  // past the Retry-After
  CHECK(f.fake().counters().api_calls == 1);
}

TEST_CASE("A provider that cannot be reached yet is retried until it answers", "[proxy]") {
  // The descriptor names a port nobody listens on yet: connecting is refused until the fake
  // starts there. Held, so that no server of a test running alongside answers there instead.
  const keyhop::test::PortReservation reserved;
  const std::uint16_t port = reserved.port();
  keyhop::test::TempDir descriptors;
  std::ofstream(descriptors.path() / "later.yaml")
      << "id: later\nname: Later\nauth: api_key\napi:\n  base_url: http://127.0.0.1:" << port
      << "/api\n  stamp: {header: X-Api-Key, format: \"${api_key}\"}\n";
  keyhop::server::testing::ApiServer api({descriptors.path()});
  const std::string key = api.account("acme");
  const std::string api_key = keyhop::proxy::testing::generatedSecret("api-key");
  REQUIRE(api.call("POST", "/v1/integrations", key, R"({"provider":"later"})").status == 201);
  REQUIRE(api.call("POST", "/v1/connections", key,
                   R"({"integration":"later","user_id":")" + std::string(kUser) +
                       R"(","api_key":")" + api_key + "\"}")
              .status == 201);
  const keyhop::HeaderList headers = {
      {"Authorization", "Bearer " + key}, {"Keyhop-User-Id", kUser}, {"Keyhop-Retries", "5"}};

  SECTION("it comes up during the retries") {
    const auto started = Clock::now();
    auto answer = std::async(std::launch::async, [&] {
      return keyhop::test::httpRequest(api.port(), "GET", "/proxy/later/me", "", headers);
    });
    std::this_thread::sleep_for(milliseconds(50));
    keyhop::fakes::Options options;
    options.api_auth = keyhop::fakes::ApiAuth::Header;
    options.api_header = "X-Api-Key";
    keyhop::fakes::FakeProvider fake(options, {port});
    fake.addCredential(api_key, "provider-user");
    const auto result = answer.get();
    CHECK(result.status == 200);
    CHECK(result.header("Keyhop-Error").empty());
    CHECK(Clock::now() - started >= milliseconds(50));
    CHECK(fake.counters().api_calls == 1);
  }
  SECTION("it never does: keyhop's 502 once the retries are spent") {
    const auto result =
        keyhop::test::httpRequest(api.port(), "GET", "/proxy/later/me", "", headers);
    CHECK(result.status == 502);
    CHECK(result.header("Keyhop-Error") == "upstream_unreachable");
  }
}
