#include <catch2/catch.hpp>
#include <fstream>

#include "tests/integration/proxy_harness.hpp"

using keyhop::fakes::FakeProvider;
using keyhop::proxy::testing::generatedSecret;
using keyhop::proxy::testing::kUser;
using keyhop::server::testing::ApiServer;

namespace {

// An OAuth2 connection whose tokens the fake issued, seeded into the store as if the user had
// connected, so a test can make the provider refuse its access token.
struct OAuthProxyFixture {
  std::string client_secret = generatedSecret("client-secret");
  FakeProvider fake;
  keyhop::test::TempDir descriptors;
  std::unique_ptr<ApiServer> api;
  std::string key;
  keyhop::fakes::TokenPair tokens;

  OAuthProxyFixture() {
    fake.configure([this](keyhop::fakes::Options& options) {
      options.clients = {{"client-id", client_secret, {}}};
      options.rotate_refresh_tokens = true;
    });
    std::ofstream(descriptors.path() / "proxied-oauth.yaml")
        << "id: proxied-oauth\nname: Proxied OAuth\nauth: oauth2\nauthorize_url: " << fake.url()
        << "/oauth/authorize\ntoken_url: " << fake.url()
        << "/oauth/token\napi:\n  base_url: " << fake.url() << "/api\n";
    api = std::make_unique<ApiServer>(std::vector<std::filesystem::path>{descriptors.path()});
    key = api->account("acme");
    REQUIRE(api->call("POST", "/v1/integrations", key,
                      R"({"provider":"proxied-oauth","client_id":"client-id","client_secret":")" +
                          client_secret + "\"}")
                .status == 201);
    tokens = fake.issueTokens("provider-user");
    keyhop::proxy::testing::seedOAuthConnection(*api, key, "proxied-oauth", tokens);
  }

  keyhop::test::HttpResult call(const std::string& path) {
    return keyhop::test::httpRequest(
        api->port(), "GET", "/proxy/proxied-oauth/" + path, "",
        {{"Authorization", "Bearer " + key}, {"Keyhop-User-Id", kUser}});
  }
};

}  // namespace

TEST_CASE("A 401 from the provider refreshes the credential once and replays the request",
          "[proxy]") {
  OAuthProxyFixture f;
  REQUIRE(f.call("me").status == 200);
  REQUIRE(f.fake.expireToken(f.tokens.access_token));  // the provider drops it early

  const auto replayed = f.call("me");
  CHECK(replayed.status == 200);
  CHECK(replayed.header("Keyhop-Error").empty());
  const auto counters = f.fake.counters();
  CHECK(counters.refreshes == 1);
  CHECK(counters.api_rejected == 1);
  CHECK(counters.api_calls_by_token.count(f.tokens.access_token) == 1);
  CHECK(counters.api_calls_by_token.size() == 2);  // the old token once, the new one once

  REQUIRE(f.call("me").status == 200);  // the renewed token is kept and used
  CHECK(f.fake.counters().refreshes == 1);
}

TEST_CASE("A second refusal after the replay goes to the client as the provider sent it",
          "[proxy]") {
  OAuthProxyFixture f;
  REQUIRE(f.call("me").status == 200);
  f.fake.failNext(keyhop::fakes::Endpoint::Api, 2,
                  {401, {{"WWW-Authenticate", "Bearer error=\"invalid_token\""}}, "no"});
  const auto refused = f.call("me");
  CHECK(refused.status == 401);
  CHECK(refused.body == "no");
  CHECK(refused.header("Keyhop-Error").empty());
  CHECK(f.fake.counters().refreshes == 1);
}

TEST_CASE("A provider that refuses the refresh marks the connection for re-authorization",
          "[proxy]") {
  OAuthProxyFixture f;
  REQUIRE(f.fake.revokeToken(f.tokens.refresh_token));
  REQUIRE(f.fake.expireToken(f.tokens.access_token));
  const auto result = f.call("me");
  CHECK(result.status == 409);
  CHECK(result.header("Keyhop-Error") == "needs_reauth");
}
