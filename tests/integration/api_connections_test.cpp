#include <catch2/catch.hpp>

#include "tests/integration/api_harness.hpp"

using keyhop::server::testing::ApiLogCapture;
using keyhop::server::testing::ApiServer;
using keyhop::server::testing::errorCode;
using keyhop::server::testing::fieldProblem;
using keyhop::server::testing::jsonObject;
using keyhop::server::testing::oauthIntegrationBody;

namespace {

struct ConnectionFixture {
  ApiServer api;
  std::string key = api.account("acme");

  ConnectionFixture() {
    for (const std::string& body :
         {std::string(R"({"provider":"example-header-key","name":"keyed"})"),
          std::string(R"({"provider":"example-basic","name":"basic"})"),
          std::string(R"({"provider":"example-oauth2-cc","name":"cc","client_id":"c",)"
                      R"("client_secret":"cc-client-secret"})"),
          oauthIntegrationBody("crm")}) {
      REQUIRE(api.call("POST", "/v1/integrations", key, body).status == 201);
    }
  }

  keyhop::store::Connection stored(const std::string& integration, const std::string& user) {
    const auto account_id = api.accountId(key);
    const auto found = api.store().findIntegrationByName(account_id, integration);
    REQUIRE(found);
    auto connection = api.store().findConnection({account_id, found->info.id, user});
    REQUIRE(connection);
    return *connection;
  }
};

}  // namespace

TEST_CASE("POST /v1/connections stores an API key encrypted and never shows it", "[api]") {
  ApiLogCapture logs;
  ConnectionFixture f;
  const std::string api_key = "ak-very-secret-123";
  const auto created =
      f.api.call("POST", "/v1/connections", f.key,
                 R"({"integration":"keyed","user_id":"u/1","api_key":")" + api_key + "\"}");
  REQUIRE(created.status == 201);
  const auto connection = jsonObject(created.body);
  CHECK(connection->getValue<std::string>("integration") == "keyed");
  CHECK(connection->getValue<std::string>("provider") == "example-header-key");
  CHECK(connection->getValue<std::string>("user_id") == "u/1");
  CHECK(connection->getValue<std::string>("status") == "active");
  CHECK(connection->getValue<std::string>("id").rfind("con_", 0) == 0);
  CHECK(!connection->has("expires_at"));
  CHECK(f.stored("keyed", "u/1").credentials.api_key == api_key);

  // Posting again replaces the credential.
  const auto replaced = f.api.call("POST", "/v1/connections", f.key,
                                   R"({"integration":"keyed","user_id":"u/1","api_key":"ak-2"})");
  CHECK(replaced.status == 200);
  CHECK(jsonObject(replaced.body)->getValue<std::string>("id") ==
        connection->getValue<std::string>("id"));
  CHECK(f.stored("keyed", "u/1").credentials.api_key == "ak-2");

  // A user id with '/' is addressed percent-encoded.
  const auto one = f.api.call("GET", "/v1/connections/keyed/u%2F1", f.key);
  REQUIRE(one.status == 200);
  CHECK(jsonObject(one.body)->getValue<std::string>("user_id") == "u/1");
  const auto list = f.api.call("GET", "/v1/connections", f.key);
  REQUIRE(list.status == 200);
  CHECK(jsonObject(list.body)->getArray("connections")->size() == 1);

  CHECK(f.api.everyResponse().find(api_key) == std::string::npos);
  CHECK(f.api.everyResponse().find("ak-2") == std::string::npos);
  for (const auto& line : logs.messages()) {
    CHECK(line.find(api_key) == std::string::npos);
    CHECK(line.find("ak-2") == std::string::npos);
  }
}

TEST_CASE("POST /v1/connections takes basic credentials and fills defaulted fields", "[api]") {
  ConnectionFixture f;
  const auto created = f.api.call(
      "POST", "/v1/connections", f.key,
      R"({"integration":"basic","user_id":"u1","username":"bob","password":"pw-s3cret"})");
  REQUIRE(created.status == 201);
  CHECK(jsonObject(created.body)->getObject("connection_fields")->getValue<std::string>("tenant") ==
        "main");
  const auto stored = f.stored("basic", "u1");
  CHECK(stored.credentials.username == "bob");
  CHECK(stored.credentials.password == "pw-s3cret");
  CHECK(stored.info.connection_fields.at("tenant") == "main");

  const auto empty_password =
      f.api.call("POST", "/v1/connections", f.key,
                 R"({"integration":"basic","user_id":"u2","username":"key-as-user","password":"",)"
                 R"("connection_fields":{"tenant":"eu1"}})");
  CHECK(empty_password.status == 201);
  CHECK(f.stored("basic", "u2").info.connection_fields.at("tenant") == "eu1");
  CHECK(f.api.everyResponse().find("pw-s3cret") == std::string::npos);
}

TEST_CASE("A client-credentials connection holds only the client registration", "[api]") {
  ConnectionFixture f;
  const auto created =
      f.api.call("POST", "/v1/connections", f.key, R"({"integration":"cc","user_id":"svc"})");
  REQUIRE(created.status == 201);
  const auto stored = f.stored("cc", "svc");
  CHECK(stored.credentials.access_token.empty());
  CHECK(stored.credentials.api_key.empty());
  CHECK(f.api.everyResponse().find("cc-client-secret") == std::string::npos);
}

TEST_CASE("POST /v1/connections validates every field", "[api]") {
  ConnectionFixture f;
  struct Case {
    std::string body;
    std::string field;
    std::string problem;
  };
  const std::vector<Case> cases = {
      {R"({"user_id":"u1","api_key":"k"})", "integration", "is required"},
      {R"({"integration":"keyed","api_key":"k"})", "user_id", "is required"},
      {R"({"integration":"keyed","user_id":"u\u0000","api_key":"k"})", "user_id",
       "must not contain control characters"},
      {R"({"integration":"keyed","user_id":"u1"})", "api_key", "is required"},
      {R"({"integration":"keyed","user_id":"u1","api_key":""})", "api_key", "must not be empty"},
      {R"({"integration":"keyed","user_id":"u1","api_key":"k\r\n"})", "api_key",
       "must not contain control characters"},
      {R"({"integration":"keyed","user_id":"u1","api_key":"k","password":"p"})", "password",
       "is not used by api_key providers"},
      {R"({"integration":"keyed","user_id":"u1","api_key":"k","token":"t"})", "token",
       "is not a known field"},
      {R"({"integration":"keyed","user_id":"u1","api_key":"k","connection_fields":{"dc":"x"}})",
       "connection_fields.dc", "is not a field of provider example-header-key (it has none)"},
      {R"({"integration":"basic","user_id":"u1","password":"p"})", "username", "is required"},
      {R"({"integration":"basic","user_id":"u1","username":"b"})", "password", "is required"},
      {R"({"integration":"basic","user_id":"u1","username":"a:b","password":"p"})", "username",
       "must not contain ':' (RFC 7617)"},
      {R"({"integration":"basic","user_id":"u1","username":"b","password":"p","api_key":"k"})",
       "api_key", "is not used by basic providers"},
      {R"({"integration":"basic","user_id":"u1","username":"b","password":"p",)"
       R"("connection_fields":{"tenant":"../x"}})",
       "connection_fields.tenant", "must match ^[a-z][a-z0-9]{0,31}$"},
      {R"({"integration":"cc","user_id":"u1","api_key":"k"})", "api_key",
       "is not used by oauth2_cc providers"},
  };
  for (const auto& c : cases) {
    INFO(c.body);
    const auto result = f.api.call("POST", "/v1/connections", f.key, c.body);
    CHECK(result.status == 400);
    CHECK(errorCode(result) == "invalid_request");
    CHECK(fieldProblem(result, c.field) == c.problem);
  }
  CHECK(f.api.call("GET", "/v1/connections", f.key).body == R"({"connections":[]})");
}

TEST_CASE("OAuth connections are not created directly, and unknown ones are 404s", "[api]") {
  ConnectionFixture f;
  const auto oauth = f.api.call("POST", "/v1/connections", f.key,
                                R"({"integration":"crm","user_id":"u1","api_key":"k"})");
  CHECK(oauth.status == 400);
  CHECK(errorCode(oauth) == "unsupported_auth");
  const auto missing = f.api.call("POST", "/v1/connections", f.key,
                                  R"({"integration":"nope","user_id":"u1","api_key":"k"})");
  CHECK(missing.status == 404);
  CHECK(errorCode(missing) == "integration_not_found");
  for (const char* target : {"/v1/connections/keyed/u1", "/v1/connections/nope/u1"}) {
    const auto get = f.api.call("GET", target, f.key);
    CHECK(get.status == 404);
    CHECK(errorCode(get) == "connection_not_found");
    CHECK(f.api.call("DELETE", target, f.key).status == 404);
  }
}

TEST_CASE("DELETE /v1/connections/{integration}/{user_id} removes the connection", "[api]") {
  ConnectionFixture f;
  REQUIRE(f.api
              .call("POST", "/v1/connections", f.key,
                    R"({"integration":"keyed","user_id":"u1","api_key":"k1"})")
              .status == 201);
  CHECK(f.api.call("DELETE", "/v1/connections/keyed/u1", f.key).status == 204);
  CHECK(f.api.call("GET", "/v1/connections/keyed/u1", f.key).status == 404);
  CHECK(f.api.call("DELETE", "/v1/connections/keyed/u1", f.key).status == 404);
  CHECK(f.api.call("GET", "/v1/connections", f.key).body == R"({"connections":[]})");
}

TEST_CASE("A connection's metadata shows its expiry but never its tokens", "[api]") {
  ConnectionFixture f;
  const auto account_id = f.api.accountId(f.key);
  const auto crm = f.api.store().findIntegrationByName(account_id, "crm");
  REQUIRE(crm);
  keyhop::store::NewConnection connection;
  connection.key = {account_id, crm->info.id, "u1"};
  connection.credentials.access_token = "at-secret-token";
  connection.credentials.refresh_token = "rt-secret-token";
  connection.credentials.expires_at = 1900000000;
  connection.credentials.connection_fields = {{"subdomain", "acme"}};
  connection.raw_token_response = R"({"access_token":"at-secret-token"})";
  REQUIRE(f.api.store().upsertConnection(connection));

  const auto one = f.api.call("GET", "/v1/connections/crm/u1", f.key);
  REQUIRE(one.status == 200);
  const auto object = jsonObject(one.body);
  CHECK(object->getValue<std::int64_t>("expires_at") == 1900000000);
  CHECK(object->getObject("connection_fields")->getValue<std::string>("subdomain") == "acme");
  f.api.call("GET", "/v1/connections", f.key);
  CHECK(f.api.everyResponse().find("secret-token") == std::string::npos);
}
