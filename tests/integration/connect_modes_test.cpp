// One end-to-end run per auth mode: keyhop and the fake provider on 127.0.0.1, the authorization
// driven over plain HTTP like a browser (or the API, for modes without a browser), ending with a
// sealed connection whose credential the fake accepts, and counters showing exactly one grant.

#include <catch2/catch.hpp>

#include "tests/integration/connect_harness.hpp"

using namespace keyhop;
using authorization::testing::bodyParam;
using authorization::testing::ConnectFixture;
using authorization::testing::echoedUser;
using authorization::testing::generatedSecret;
using server::testing::jsonObject;
using test::queryValue;

TEST_CASE("OAuth2 with PKCE connects through the browser with one code exchange", "[connect]") {
  ConnectFixture f([](fakes::Options& o) {
    o.pkce = fakes::PkcePolicy::Required;
    o.user = "provider-user-42";
  });
  f.oauthIntegration("crm", "fake-oauth2");

  const auto walk = f.connect("crm", "user-42");
  REQUIRE(walk.visited.size() == 3);  // /connect, the fake's authorize, /oauth/callback
  CHECK(walk.visited[1].rfind(f.fake.url() + "/oauth/authorize?", 0) == 0);
  CHECK(walk.visited[2].rfind(f.callbackUrl() + "?", 0) == 0);
  CHECK(walk.last.status == 200);
  CHECK(walk.last.header("Keyhop-Error").empty());
  CHECK(walk.last.body.find("<h1>Connected</h1>") != std::string::npos);

  // The fake saw an S256 challenge, then the verifier that hashes to it.
  const std::string authorize = walk.visited[1];
  CHECK(queryValue(authorize, "code_challenge_method") == "S256");
  CHECK(queryValue(authorize, "redirect_uri") == f.callbackUrl());
  CHECK(queryValue(authorize, "scope") == "read write");
  CHECK(queryValue(authorize, "state").size() > 40);
  const auto exchange = f.fake.lastRequest(fakes::Endpoint::Token);
  REQUIRE(exchange);
  const auto verifier = bodyParam(exchange->body, "code_verifier");
  CHECK(verifier.size() == 43);
  CHECK(flows::pkceChallenge(verifier) == queryValue(authorize, "code_challenge"));
  CHECK(bodyParam(exchange->body, "redirect_uri") == f.callbackUrl());

  const auto counters = f.fake.counters();
  CHECK(counters.authorize == 1);
  CHECK(counters.code_exchanges == 1);
  CHECK(counters.token_requests == 1);
  CHECK(counters.token_errors == 0);

  const auto connection = f.stored("crm", "user-42");
  REQUIRE(connection);
  CHECK(connection->info.status == store::ConnectionStatus::Active);
  CHECK(connection->info.version == 1);
  CHECK_FALSE(connection->credentials.refresh_token.empty());
  REQUIRE(connection->credentials.expires_at);
  CHECK(*connection->credentials.expires_at > store::unixNow() + 3500);
  CHECK(echoedUser(f.callApi("fake-oauth2", *connection, "/api/me")) == "provider-user-42");
  f.checkSealedAtRest(*connection);
  f.checkNoSecretsLeaked();
}

TEST_CASE("OAuth 1.0a connects through its three signed legs", "[connect]") {
  ConnectFixture f([](fakes::Options& o) {
    o.api_auth = fakes::ApiAuth::OAuth1;
    o.user = "provider-user-7";
  });
  f.oauthIntegration("tweets", "fake-oauth1");

  const auto walk = f.connect("tweets", "user-7");
  REQUIRE(walk.visited.size() == 3);
  CHECK(walk.visited[1].rfind(f.fake.url() + "/oauth1/authorize?oauth_token=", 0) == 0);
  CHECK(walk.last.status == 200);
  CHECK(walk.last.header("Keyhop-Error").empty());

  const auto counters = f.fake.counters();
  CHECK(counters.oauth1_request_tokens == 1);
  CHECK(counters.oauth1_authorize == 1);
  CHECK(counters.oauth1_access_tokens == 1);
  CHECK(counters.token_requests == 0);
  const auto access = f.fake.lastRequest(fakes::Endpoint::OAuth1AccessToken);
  REQUIRE(access);
  std::string authorization;
  for (const auto& header : access->headers) {
    if (header.name == "Authorization") authorization = header.value;
  }
  CHECK(authorization.rfind("OAuth ", 0) == 0);
  CHECK(authorization.find("oauth_signature=") != std::string::npos);

  const auto connection = f.stored("tweets", "user-7");
  REQUIRE(connection);
  CHECK_FALSE(connection->credentials.access_token.empty());
  CHECK_FALSE(connection->credentials.token_secret.empty());
  CHECK(connection->credentials.captured.at("user_id") == "provider-user-7");
  // The fake verifies the signature made with the stored token secret.
  CHECK(echoedUser(f.callApi("fake-oauth1", *connection, "/api/me?x=1")) == "provider-user-7");
  f.checkSealedAtRest(*connection);
  f.checkNoSecretsLeaked();
}

TEST_CASE("oauth2_cc: the connection is made by the API, its token fetched once on first use",
          "[connect]") {
  ConnectFixture f;
  f.oauthIntegration("machine", "fake-cc");

  const auto created = f.api.call("POST", "/v1/connections", f.key,
                                  R"({"integration":"machine","user_id":"service"})");
  REQUIRE(created.status == 201);
  CHECK(f.fake.counters().token_requests == 0);

  const auto first = f.api.call("GET", "/v1/connections/machine/service/token", f.key);
  REQUIRE(first.status == 200);
  const auto token = jsonObject(first.body)->getValue<std::string>("access_token");
  const auto second = f.api.call("GET", "/v1/connections/machine/service/token", f.key);
  REQUIRE(second.status == 200);
  CHECK(jsonObject(second.body)->getValue<std::string>("access_token") == token);

  const auto counters = f.fake.counters();
  CHECK(counters.client_credentials == 1);
  CHECK(counters.token_requests == 1);
  CHECK(counters.code_exchanges == 0);
  const auto connection = f.stored("machine", "service");
  REQUIRE(connection);
  CHECK(connection->credentials.access_token == token);
  CHECK(echoedUser(f.callApi("fake-cc", *connection, "/api/me")) == "client-id");
  f.checkSealedAtRest(*connection);
  f.checkNoSecretsLeaked(/*answers_may_hold_tokens=*/true);
}

TEST_CASE("api_key: the stored key stamps a request the provider accepts", "[connect]") {
  ConnectFixture f([](fakes::Options& o) {
    o.api_auth = fakes::ApiAuth::Header;
    o.api_header = "X-Api-Key";
  });
  const std::string api_key = generatedSecret("fake-api-key");
  f.fake.addCredential(api_key, "key-owner");
  f.keyIntegration("keyed", "fake-api-key");

  const auto created =
      f.api.call("POST", "/v1/connections", f.key,
                 R"({"integration":"keyed","user_id":"user-5","api_key":")" + api_key + "\"}");
  REQUIRE(created.status == 201);
  const auto connection = f.stored("keyed", "user-5");
  REQUIRE(connection);
  CHECK(connection->credentials.api_key == api_key);
  CHECK(echoedUser(f.callApi("fake-api-key", *connection, "/api/me")) == "key-owner");

  const auto counters = f.fake.counters();
  CHECK(counters.api_calls == 1);
  CHECK(counters.api_rejected == 0);
  CHECK(counters.api_calls_by_token.at(api_key) == 1);
  CHECK(counters.token_requests == 0);
  f.checkSealedAtRest(*connection);
  f.checkNoSecretsLeaked();
}

TEST_CASE("basic: the stored user name and password stamp a request the provider accepts",
          "[connect]") {
  ConnectFixture f([](fakes::Options& o) { o.api_auth = fakes::ApiAuth::Basic; });
  const std::string password = generatedSecret("fake-password");
  f.fake.addCredential("jane:" + password, "jane-at-provider");
  f.keyIntegration("legacy", "fake-basic");

  const auto created =
      f.api.call("POST", "/v1/connections", f.key,
                 R"({"integration":"legacy","user_id":"user-6","username":"jane","password":")" +
                     password + "\"}");
  REQUIRE(created.status == 201);
  const auto connection = f.stored("legacy", "user-6");
  REQUIRE(connection);
  CHECK(echoedUser(f.callApi("fake-basic", *connection, "/api/me")) == "jane-at-provider");

  const auto counters = f.fake.counters();
  CHECK(counters.api_calls == 1);
  CHECK(counters.api_rejected == 0);
  CHECK(counters.token_requests == 0);
  f.checkSealedAtRest(*connection);
  f.checkNoSecretsLeaked();
}
