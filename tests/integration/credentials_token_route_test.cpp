#include <catch2/catch.hpp>

#include "tests/integration/credentials_harness.hpp"

using namespace keyhop;
using keyhop::credentials::testing::checkNoSecrets;
using keyhop::credentials::testing::writeFakeDescriptors;
using keyhop::server::testing::ApiLogCapture;
using keyhop::server::testing::ApiServer;
using keyhop::server::testing::errorCode;
using keyhop::server::testing::jsonObject;

namespace {

// The API server with fake-oauth2 and fake-cc aimed at a running fake provider.
struct RouteFixture {
  RouteFixture() {
    for (const std::string& body :
         {std::string(R"({"provider":"fake-oauth2","name":"crm",)"
                      R"("client_id":"client-id","client_secret":"client-secret"})"),
          std::string(R"({"provider":"fake-cc","name":"machine",)"
                      R"("client_id":"client-id","client_secret":"client-secret"})"),
          std::string(R"({"provider":"example-header-key","name":"keyed"})")}) {
      REQUIRE(api.call("POST", "/v1/integrations", key, body).status == 201);
    }
  }

  static std::filesystem::path descriptors(const test::TempDir& dir,
                                           const fakes::FakeProvider& fake) {
    writeFakeDescriptors(dir, "providers.d", fake);
    return dir.path() / "providers.d";
  }

  // An oauth2 connection on "crm" holding tokens the fake issued.
  fakes::TokenPair connect(const std::string& user, std::int64_t expires_at,
                           const std::string& refresh_token = "") {
    const auto tokens = fake.issueTokens(user);
    store::NewConnection connection;
    const auto account_id = api.accountId(key);
    connection.key = {account_id, api.store().findIntegrationByName(account_id, "crm")->info.id,
                      user};
    connection.credentials.access_token = tokens.access_token;
    connection.credentials.refresh_token =
        refresh_token.empty() ? tokens.refresh_token : refresh_token;
    connection.credentials.expires_at = expires_at;
    REQUIRE(api.store().upsertConnection(connection));
    return tokens;
  }

  test::HttpResult token(const std::string& integration, const std::string& user) {
    return api.call("GET", "/v1/connections/" + integration + "/" + user + "/token", key);
  }

  fakes::FakeProvider fake;
  test::TempDir dir;
  ApiServer api{{descriptors(dir, fake)}};
  std::string key = api.account("acme");
};

}  // namespace

TEST_CASE("GET .../token answers a fresh access token, refreshing it when due", "[credentials]") {
  ApiLogCapture logs;
  RouteFixture f;
  const std::int64_t in_an_hour = store::unixNow() + 3600;
  const auto fresh = f.connect("user-1", in_an_hour);

  const auto answer = f.token("crm", "user-1");
  REQUIRE(answer.status == 200);
  CHECK(answer.header("Cache-Control") == "no-store");
  CHECK(answer.header("Keyhop-Error").empty());
  const auto body = jsonObject(answer.body);
  CHECK(body->getValue<std::string>("access_token") == fresh.access_token);
  CHECK(body->getValue<std::string>("token_type") == "bearer");
  CHECK(body->getValue<std::int64_t>("expires_at") == in_an_hour);
  CHECK(f.fake.counters().token_requests == 0);

  const auto expired = f.connect("user-2", store::unixNow() - 10);
  const auto renewed = f.token("crm", "user-2");
  REQUIRE(renewed.status == 200);
  const auto renewed_token = jsonObject(renewed.body)->getValue<std::string>("access_token");
  CHECK(renewed_token != expired.access_token);
  CHECK(jsonObject(renewed.body)->getValue<std::int64_t>("expires_at") > store::unixNow() + 3000);
  CHECK(f.fake.counters().refreshes == 1);

  checkNoSecrets(logs.messages(), {fresh.access_token, fresh.refresh_token, expired.access_token,
                                   expired.refresh_token, renewed_token, "client-secret"});
}

TEST_CASE("GET .../token fetches an oauth2_cc connection's token on first use", "[credentials]") {
  ApiLogCapture logs;
  RouteFixture f;
  REQUIRE(
      f.api.call("POST", "/v1/connections", f.key, R"({"integration":"machine","user_id":"svc"})")
          .status == 201);
  CHECK(f.fake.counters().client_credentials == 0);

  const auto first = f.token("machine", "svc");
  REQUIRE(first.status == 200);
  const auto access_token = jsonObject(first.body)->getValue<std::string>("access_token");
  CHECK(f.token("machine", "svc").body == first.body);
  CHECK(f.fake.counters().client_credentials == 1);
  checkNoSecrets(logs.messages(), {access_token, "client-secret"});
}

TEST_CASE("GET .../token errors: 404, 409, 503, each with Keyhop-Error", "[credentials]") {
  ApiLogCapture logs;
  RouteFixture f;
  REQUIRE(f.api
              .call("POST", "/v1/connections", f.key,
                    R"({"integration":"keyed","user_id":"u1","api_key":"ak-secret-42"})")
              .status == 201);

  SECTION("unknown user, unknown integration, no key") {
    for (const auto& answer : {f.token("crm", "nobody"), f.token("nothing", "user-1")}) {
      CHECK(answer.status == 404);
      CHECK(answer.header("Keyhop-Error") == "connection_not_found");
      CHECK(errorCode(answer) == "connection_not_found");
    }
    CHECK(f.api.call("GET", "/v1/connections/crm/user-1/token", "").status == 401);
  }

  SECTION("an API key connection has no access token to give") {
    const auto answer = f.token("keyed", "u1");
    CHECK(answer.status == 409);
    CHECK(answer.header("Keyhop-Error") == "no_access_token");
    CHECK(answer.body.find("API key") != std::string::npos);
    CHECK(answer.body.find("ak-secret-42") == std::string::npos);
  }

  SECTION("a refresh token the provider refuses: needs_reauth") {
    f.connect("user-1", store::unixNow() - 10, "rt-unknown-to-the-provider");
    const auto answer = f.token("crm", "user-1");
    CHECK(answer.status == 409);
    CHECK(answer.header("Keyhop-Error") == "needs_reauth");
    CHECK(errorCode(answer) == "needs_reauth");
    const auto listed = f.api.call("GET", "/v1/connections/crm/user-1", f.key);
    CHECK(jsonObject(listed.body)->getValue<std::string>("status") == "needs_reauth");
  }

  SECTION("a provider 500 during the refresh: 503 refresh_unavailable") {
    const auto tokens = f.connect("user-1", store::unixNow() - 10);
    f.fake.failNext(fakes::Endpoint::Token, 1, {500, {}, "down"});
    const auto answer = f.token("crm", "user-1");
    CHECK(answer.status == 503);
    CHECK(answer.header("Keyhop-Error") == "refresh_unavailable");
    CHECK(errorCode(answer) == "refresh_unavailable");
    const auto listed = f.api.call("GET", "/v1/connections/crm/user-1", f.key);
    CHECK(jsonObject(listed.body)->getValue<std::string>("status") == "active");
    checkNoSecrets({f.api.everyResponse()}, {tokens.access_token, tokens.refresh_token});
  }

  SECTION("a deleted connection is gone at once") {
    f.connect("user-1", store::unixNow() + 3600);
    REQUIRE(f.token("crm", "user-1").status == 200);
    REQUIRE(f.api.call("DELETE", "/v1/connections/crm/user-1", f.key).status == 204);
    CHECK(f.token("crm", "user-1").status == 404);
  }
  checkNoSecrets(logs.messages(), {"ak-secret-42", "client-secret"});
}
