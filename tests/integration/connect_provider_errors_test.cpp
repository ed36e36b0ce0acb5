// What the provider may do wrong during an authorization: deny it, answer garbage, fail, hang,
// or send a callback from another issuer. Each ends with a named error, on keyhop's page or in
// the return URL, and nothing stored.

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "tests/integration/connect_harness.hpp"

using namespace keyhop;
using authorization::testing::ConnectFixture;
using authorization::testing::kReturnUrls;
using test::queryValue;

TEST_CASE("A malformed token response is invalid_provider_response", "[connect]") {
  ConnectFixture f([](fakes::Options& o) { o.garbage_token_body = true; });
  f.oauthIntegration("crm", "fake-oauth2");
  const auto walk = f.connect("crm", "user-1", kReturnUrls[0]);
  CHECK(queryValue(walk.left_to, "status") == "error");
  CHECK(queryValue(walk.left_to, "error") == "invalid_provider_response");
  CHECK_FALSE(queryValue(walk.left_to, "error_description").empty());
  CHECK(queryValue(walk.left_to, "integration") == "crm");
  CHECK(queryValue(walk.left_to, "user_id") == "user-1");
  CHECK(f.fake.counters().code_exchanges == 1);
  CHECK(f.connectionCount() == 0);
  f.checkNoSecretsLeaked();
}

TEST_CASE("A provider 500 during the exchange is provider_temporarily_unavailable", "[connect]") {
  ConnectFixture f;
  f.oauthIntegration("crm", "fake-oauth2");
  f.fake.failNext(fakes::Endpoint::Token, 1, {500, {}, "upstream exploded"});
  const auto walk = f.connect("crm", "user-1");
  CHECK(walk.last.status == 503);
  CHECK(walk.last.header("Keyhop-Error") == "provider_temporarily_unavailable");
  CHECK(walk.last.body.find("upstream exploded") == std::string::npos);
  CHECK(f.fake.counters().code_exchanges == 1);
  CHECK(f.connectionCount() == 0);
  f.checkNoSecretsLeaked();
}

TEST_CASE("A token endpoint slower than keyhop's read timeout is provider_temporarily_unavailable",
          "[connect]") {
  flows::HttpClientOptions quick;
  quick.read_timeout = std::chrono::milliseconds(150);
  ConnectFixture f(
      [](fakes::Options& o) { o.delays[fakes::Endpoint::Token] = std::chrono::milliseconds(700); },
      quick);
  f.oauthIntegration("crm", "fake-oauth2");
  const auto started = std::chrono::steady_clock::now();
  const auto walk = f.connect("crm", "user-1", kReturnUrls[0]);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(650));
  CHECK(queryValue(walk.left_to, "error") == "provider_temporarily_unavailable");
  // The fake counts the exchange once its delay is over, then answers tokens nobody reads.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (f.fake.counters().code_exchanges == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(f.fake.counters().code_exchanges == 1);
  CHECK(f.connectionCount() == 0);
  f.checkNoSecretsLeaked();
}

TEST_CASE("A user who says no at the provider is access_denied", "[connect]") {
  ConnectFixture f([](fakes::Options& o) { o.deny = true; });

  SECTION("OAuth2, back to the return URL") {
    f.oauthIntegration("crm", "fake-oauth2");
    const auto walk = f.connect("crm", "user-1", kReturnUrls[0]);
    CHECK(queryValue(walk.left_to, "status") == "error");
    CHECK(queryValue(walk.left_to, "error") == "access_denied");
    CHECK(f.fake.counters().authorize == 1);
    CHECK(f.fake.counters().token_requests == 0);
  }
  SECTION("OAuth 1.0a, on the page") {
    f.oauthIntegration("tweets", "fake-oauth1");
    const auto walk = f.connect("tweets", "user-1");
    CHECK(walk.last.status == 400);
    CHECK(walk.last.header("Keyhop-Error") == "access_denied");
    CHECK(walk.last.body.find("\"error\":\"access_denied\"") != std::string::npos);
    CHECK(f.fake.counters().oauth1_authorize == 1);
    CHECK(f.fake.counters().oauth1_access_tokens == 0);
  }
  CHECK(f.connectionCount() == 0);
  f.checkNoSecretsLeaked();
}

TEST_CASE("Another provider error is provider_error, its text shown escaped", "[connect]") {
  ConnectFixture f;
  f.oauthIntegration("crm", "fake-oauth2");
  const auto callback = f.walk(f.connectUrl("crm", "user-1"), true).callback;
  const auto answer =
      f.get(f.callbackUrl() + "?state=" + flows::percentEncode(queryValue(callback, "state")) +
            "&error=invalid_scope&error_description=" +
            flows::percentEncode("</script><script>alert(1)</script>"));
  CHECK(answer.status == 400);
  CHECK(answer.header("Keyhop-Error") == "provider_error");
  CHECK(answer.body.find("invalid_scope") != std::string::npos);
  CHECK(answer.body.find("<script>alert") == std::string::npos);
  CHECK(answer.body.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  CHECK(f.fake.counters().code_exchanges == 0);
  CHECK(f.connectionCount() == 0);
  f.checkNoSecretsLeaked();
}

TEST_CASE("A callback whose iss is not the descriptor's issuer is issuer_mismatch", "[connect]") {
  ConnectFixture f([](fakes::Options& o) {
    o.callback_params = {{"iss", "https://other.example"}};
  });
  f.oauthIntegration("crm", "fake-issuer");

  const auto refused = f.connect("crm", "user-1");
  CHECK(refused.last.status == 400);
  CHECK(refused.last.header("Keyhop-Error") == "issuer_mismatch");
  CHECK(f.fake.counters().code_exchanges == 0);
  CHECK(f.connectionCount() == 0);

  const std::string issuer = f.fake.url();
  f.fake.configure([&](fakes::Options& o) { o.callback_params = {{"iss", issuer}}; });
  const auto accepted = f.connect("crm", "user-1");
  CHECK(accepted.last.status == 200);
  CHECK(accepted.last.header("Keyhop-Error").empty());
  CHECK(f.fake.counters().code_exchanges == 1);
  CHECK(f.stored("crm", "user-1"));
  f.checkNoSecretsLeaked();
}
