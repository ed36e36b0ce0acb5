#include "core/flows/post_connect.hpp"

#include <catch2/catch.hpp>

#include "core/flows/stamp.hpp"
#include "tests/unit/flows/flows_test_support.hpp"

using namespace keyhop;
using namespace keyhop::flows;
using namespace keyhop::flows::test;

namespace {

const ClientRegistration kClient{"client-id", "client-secret"};

fakes::Options withMetadata() {
  fakes::Options options;
  options.api_responses["/api/metadata"] = {
      200, {{"Content-Type", "application/json"}},
      R"({"dc":"us6","login":{"login_id":"L-17"},"api_endpoint":"https://us6.api.example"})"};
  return options;
}

}  // namespace

TEST_CASE("post_connect calls once, stamped, and captures dotted paths", "[flows]") {
  fakes::FakeProvider fake(withMetadata());
  ProviderSpec spec = oauth2Spec(fake);
  spec.post_connect = PostConnectCall{"GET", fake.url() + "/api/metadata",
                                      {{"dc", "dc"}, {"login_id", "login.login_id"}}};
  Credentials credentials;
  credentials.access_token = fake.issueTokens("user-1").access_token;
  Provider hooks;
  const HttpClient http;

  const auto fields = runPostConnect(http, spec, hooks, kClient, credentials);
  REQUIRE(fields);
  CHECK(fields.value() ==
        std::map<std::string, std::string>{{"dc", "us6"}, {"login_id", "L-17"}});
  CHECK(fake.counters().api_calls_by_token.at(credentials.access_token) == 1);

  SECTION("a capture the answer lacks is an invalid response") {
    spec.post_connect->capture["region"] = "region";
    const auto missing = runPostConnect(http, spec, hooks, kClient, credentials);
    REQUIRE_FALSE(missing);
    CHECK(missing.failure().kind == FailureKind::InvalidResponse);
    CHECK(missing.failure().message.find("'region'") != std::string::npos);
  }
  SECTION("a refused token is invalid_grant; the token is not in the message") {
    fake.expireToken(credentials.access_token);
    const auto refused = runPostConnect(http, spec, hooks, kClient, credentials);
    REQUIRE_FALSE(refused);
    CHECK(refused.failure().kind == FailureKind::InvalidGrant);
    checkNoSecrets(refused.failure().message, {credentials.access_token});
  }
  SECTION("a 500 is transient") {
    fake.failNext(fakes::Endpoint::Api, 1, {500, {}, "down"});
    const auto down = runPostConnect(http, spec, hooks, kClient, credentials);
    REQUIRE_FALSE(down);
    CHECK(down.failure().kind == FailureKind::Transient);
  }
}

TEST_CASE("no post_connect in the descriptor: nothing is called", "[flows]") {
  fakes::FakeProvider fake;
  Provider hooks;
  const auto fields = runPostConnect(HttpClient(), oauth2Spec(fake), hooks, kClient, {});
  REQUIRE(fields);
  CHECK(fields.value().empty());
  CHECK(fake.counters().api_calls == 0);
}

TEST_CASE("stamping: api.headers, a query stamp, and a basic stamp", "[flows]") {
  ProviderSpec spec;
  spec.auth = AuthMode::ApiKey;
  spec.api.headers = {{"Notion-Version", "2025-09-03"}, {"X-Team", "${credentials.team}"}};
  spec.api.stamp = Stamp{"", "key", "${api_key}"};
  Credentials credentials;
  credentials.api_key = "k&1";
  credentials.captured["team"] = "T1";
  Provider hooks;
  PreparedRequest request{"GET", "https://api.example/v1?a=b", {}, ""};
  REQUIRE_FALSE(stampRequest(spec, hooks, kClient, credentials, request));
  CHECK(request.url == "https://api.example/v1?a=b&key=k%261");
  CHECK(request.headers.size() == 2);

  Credentials teamless = credentials;
  teamless.captured.clear();
  PreparedRequest unfilled{"GET", "https://api.example/v1", {}, ""};
  const auto no_team = stampRequest(spec, hooks, kClient, teamless, unfilled);
  REQUIRE(no_team);
  CHECK(*no_team == "api.headers.X-Team: ${credentials.team} has no value");

  spec.auth = AuthMode::Basic;
  spec.api.stamp = Stamp{"Authorization", "", "Basic ${basic}"};
  credentials.username = "Aladdin";
  credentials.password = "open sesame";
  PreparedRequest basic{"GET", "https://api.example/v1", {{"authorization", "old"}}, ""};
  REQUIRE_FALSE(stampRequest(spec, hooks, kClient, credentials, basic));
  // The stamp replaces the request's own header of that name (whatever its case), last.
  REQUIRE(basic.headers.size() == 3);
  CHECK(basic.headers[0].name == "Notion-Version");
  CHECK(basic.headers[2].name == "Authorization");
  CHECK(basic.headers[2].value == "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");

  spec.api.stamp.format = "Bearer ${access_token}";
  const auto missing = stampRequest(spec, hooks, kClient, credentials, basic);
  REQUIRE(missing);
  CHECK(*missing == "api.stamp.format: ${access_token} has no value");
}
