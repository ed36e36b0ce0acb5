#include <catch2/catch.hpp>
#include <ctime>

#include "tests/integration/api_harness.hpp"

using keyhop::server::testing::ApiServer;
using keyhop::server::testing::errorCode;
using keyhop::server::testing::fieldProblem;
using keyhop::server::testing::jsonObject;
using keyhop::server::testing::oauthIntegrationBody;

namespace {

struct SessionFixture {
  ApiServer api;
  std::string key = api.account("acme");

  SessionFixture() {
    REQUIRE(api.call("POST", "/v1/integrations", key, oauthIntegrationBody("crm")).status == 201);
    REQUIRE(api.call("POST", "/v1/integrations", key,
                     R"({"provider":"gitlab","client_id":"c","client_secret":"s"})")
                .status == 201);
    REQUIRE(api.call("POST", "/v1/integrations", key, R"({"provider":"example-api-key"})").status ==
            201);
  }

  keyhop::test::HttpResult mint(const std::string& body) {
    return api.call("POST", "/v1/connect-sessions", key, body);
  }
};

}  // namespace

TEST_CASE("POST /v1/connect-sessions mints a single-use session and its connect URL", "[api]") {
  SessionFixture f;
  const auto before = static_cast<std::int64_t>(std::time(nullptr));
  const auto result =
      f.mint(R"({"integration":"crm","user_id":"user 42","return_url":"https://app.example/done",)"
             R"("connection_fields":{"subdomain":"acme-eu"},"ttl_s":120})");
  REQUIRE(result.status == 201);
  const auto session = jsonObject(result.body);
  const auto token = session->getValue<std::string>("token");
  CHECK(token.rfind("cs_", 0) == 0);
  CHECK(session->getValue<std::string>("connect_url") ==
        "https://keyhop.example/connect/crm?session=" + token);
  const auto expires_at = session->getValue<std::int64_t>("expires_at");
  CHECK(expires_at >= before + 120);
  CHECK(expires_at <= static_cast<std::int64_t>(std::time(nullptr)) + 120);

  const auto consumed = f.api.store().consumeConnectSession(token);
  REQUIRE(consumed);
  CHECK(consumed->account_id == f.api.accountId(f.key));
  CHECK(consumed->user_id == "user 42");
  CHECK(consumed->return_url == "https://app.example/done");
  CHECK(consumed->connection_fields.at("subdomain") == "acme-eu");
  CHECK(consumed->expires_at == expires_at);
  CHECK(!f.api.store().consumeConnectSession(token));
}

TEST_CASE("Connect sessions fill defaulted connection fields and need no return URL", "[api]") {
  SessionFixture f;
  const auto result = f.mint(R"({"integration":"gitlab","user_id":"u1"})");
  REQUIRE(result.status == 201);
  const auto session = jsonObject(result.body);
  const auto consumed =
      f.api.store().consumeConnectSession(session->getValue<std::string>("token"));
  REQUIRE(consumed);
  CHECK(consumed->return_url.empty());
  CHECK(consumed->connection_fields.at("host") == "gitlab.com");
  const auto now = static_cast<std::int64_t>(std::time(nullptr));
  CHECK(consumed->expires_at >= now + 590);  // the default TTL, 600 s
  CHECK(consumed->expires_at <= now + 600);
}

TEST_CASE("Connect sessions accept only an allowed return URL, exactly", "[api]") {
  SessionFixture f;
  for (const std::string url :
       {"https://app.example/done/", "https://app.example/done?x=1", "https://APP.example/done",
        "https://evil.example/done", "http://127.0.0.1:3000/cb#x", "https://app.example"}) {
    INFO(url);
    const auto result = f.mint(R"({"integration":"crm","user_id":"u1","return_url":")" + url +
                               R"(","connection_fields":{"subdomain":"acme"}})");
    CHECK(result.status == 400);
    CHECK(errorCode(result) == "return_url_not_allowed");
    CHECK(result.header("Keyhop-Error") == "return_url_not_allowed");
  }
  CHECK(f.mint(R"({"integration":"crm","user_id":"u1","return_url":"http://127.0.0.1:3000/cb",)"
               R"("connection_fields":{"subdomain":"acme"}})")
            .status == 201);
}

TEST_CASE("Connect sessions validate every field", "[api]") {
  SessionFixture f;
  struct Case {
    std::string body;
    std::string field;
    std::string problem;
  };
  const std::string crm = R"("integration":"crm",)";
  const std::vector<Case> cases = {
      {R"({"user_id":"u1"})", "integration", "is required"},
      {R"({"integration":"crm"})", "user_id", "is required"},
      {"{" + crm + R"("user_id":""})", "user_id", "must not be empty"},
      {"{" + crm + R"("user_id":"a\nb"})", "user_id", "must not contain control characters"},
      {"{" + crm + R"("user_id":")" + std::string(257, 'u') + "\"}", "user_id",
       "must be at most 256 bytes"},
      {"{" + crm + R"("user_id":5})", "user_id", "must be a string"},
      {"{" + crm + R"("user_id":"u1","ttl_s":"60"})", "ttl_s",
       "must be an integer from 60 to 3600"},
      {"{" + crm + R"("user_id":"u1","ttl_s":59})", "ttl_s", "must be an integer from 60 to 3600"},
      {"{" + crm + R"("user_id":"u1","ttl_s":3601})", "ttl_s",
       "must be an integer from 60 to 3600"},
      {"{" + crm + R"("user_id":"u1","ttl_s":true})", "ttl_s",
       "must be an integer from 60 to 3600"},
      {"{" + crm + R"("user_id":"u1","ttl_s":1.5})", "ttl_s", "must be an integer from 60 to 3600"},
      {"{" + crm + R"("user_id":"u1","ttl_s":18446744073709551615})", "ttl_s",
       "must be an integer from 60 to 3600"},
      {"{" + crm + R"("user_id":"u1","scopes":[]})", "scopes", "is not a known field"},
      {"{" + crm + R"("user_id":"u1","return_url":7})", "return_url", "must be a string"},
      {"{" + crm + R"("user_id":"u1"})", "connection_fields.subdomain",
       "is required by provider example-oauth2"},
      {"{" + crm + R"("user_id":"u1","connection_fields":[]})", "connection_fields",
       "must be an object of strings"},
      {"{" + crm + R"("user_id":"u1","connection_fields":{"subdomain":1}})",
       "connection_fields.subdomain", "must be a string"},
      {"{" + crm + R"("user_id":"u1","connection_fields":{"subdomain":"acme","region":"eu"}})",
       "connection_fields.region", "is not a field of provider example-oauth2"},
      {R"({"integration":"gitlab","user_id":"u1","connection_fields":{"subdomain":"x"}})",
       "connection_fields.subdomain", "is not a field of provider gitlab"},
  };
  for (const auto& c : cases) {
    INFO(c.body);
    const auto result = f.mint(c.body);
    CHECK(result.status == 400);
    CHECK(errorCode(result) == "invalid_request");
    CHECK(fieldProblem(result, c.field) == c.problem);
  }
}

TEST_CASE("Connection fields must match the provider's strict pattern", "[api]") {
  SessionFixture f;
  for (const std::string& value :
       std::vector<std::string>{"evil.com/", "a..b", "acme\\r\\nX: y", "ACME", "-acme",
                                "acme.example", "", "a b", std::string(300, 'a')}) {
    INFO(value);
    const auto result = f.mint(R"({"integration":"crm","user_id":"u1","connection_fields":)"
                               R"({"subdomain":")" +
                               value + "\"}}");
    CHECK(result.status == 400);
    CHECK(!fieldProblem(result, "connection_fields.subdomain").empty());
  }
  const auto host =
      f.mint(R"({"integration":"gitlab","user_id":"u1","connection_fields":{"host":"127.0.0.1"}})");
  CHECK(fieldProblem(host, "connection_fields.host").rfind("must match ", 0) == 0);
  CHECK(f.mint(R"({"integration":"gitlab","user_id":"u1","connection_fields":)"
               R"({"host":"gitlab.acme.io"}})")
            .status == 201);
}

TEST_CASE("Connect sessions are for browser authorizations of the account's integrations",
          "[api]") {
  SessionFixture f;
  const auto missing = f.mint(R"({"integration":"nope","user_id":"u1"})");
  CHECK(missing.status == 404);
  CHECK(errorCode(missing) == "integration_not_found");
  const auto key_based = f.mint(R"({"integration":"example-api-key","user_id":"u1"})");
  CHECK(key_based.status == 400);
  CHECK(errorCode(key_based) == "unsupported_auth");
}
