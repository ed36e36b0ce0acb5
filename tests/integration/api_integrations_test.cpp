#include <catch2/catch.hpp>

#include "tests/integration/api_harness.hpp"

using keyhop::server::testing::ApiLogCapture;
using keyhop::server::testing::ApiServer;
using keyhop::server::testing::errorCode;
using keyhop::server::testing::fieldProblem;
using keyhop::server::testing::jsonObject;
using keyhop::server::testing::oauthIntegrationBody;

TEST_CASE("POST /v1/integrations registers an OAuth app, the client secret is write-only",
          "[api]") {
  ApiLogCapture logs;
  ApiServer api;
  const std::string key = api.account("acme");
  const std::string secret = "cs-top-secret-1";

  const auto created =
      api.call("POST", "/v1/integrations", key, oauthIntegrationBody("crm", secret));
  REQUIRE(created.status == 201);
  const auto integration = jsonObject(created.body);
  CHECK(integration->getValue<std::string>("name") == "crm");
  CHECK(integration->getValue<std::string>("provider") == "example-oauth2");
  CHECK(integration->getValue<std::string>("auth") == "oauth2");
  CHECK(integration->getValue<std::string>("client_id") == "client-1");
  CHECK(integration->getValue<std::string>("id").rfind("int_", 0) == 0);
  CHECK(integration->getArray("scopes")->size() == 2);  // the provider's defaults
  CHECK(integration->getArray("allowed_return_urls")->size() == 2);
  CHECK(!integration->has("client_secret"));

  // The secret is stored (sealed) and usable by keyhop itself.
  const auto stored = api.store().findIntegrationByName(api.accountId(key), "crm");
  REQUIRE(stored);
  CHECK(stored->client_secret == secret);

  const auto listed = api.call("GET", "/v1/integrations", key);
  REQUIRE(listed.status == 200);
  CHECK(jsonObject(listed.body)->getArray("integrations")->size() == 1);
  const auto one = api.call("GET", "/v1/integrations/crm", key);
  REQUIRE(one.status == 200);
  CHECK(jsonObject(one.body)->getValue<std::string>("id") ==
        integration->getValue<std::string>("id"));
  CHECK(api.call("GET", "/v1/integrations/other", key).status == 404);

  // Taken name.
  const auto again = api.call("POST", "/v1/integrations", key, oauthIntegrationBody("crm", secret));
  CHECK(again.status == 409);
  CHECK(errorCode(again) == "integration_exists");
  CHECK(again.header("Keyhop-Error") == "integration_exists");

  CHECK(api.everyResponse().find(secret) == std::string::npos);
  for (const auto& line : logs.messages()) CHECK(line.find(secret) == std::string::npos);
  CHECK(!logs.messages().empty());  // the creation is logged, without the secret
}

TEST_CASE("POST /v1/integrations defaults the name to the provider and takes scopes and settings",
          "[api]") {
  ApiServer api;
  const std::string key = api.account("acme");
  const auto created = api.call(
      "POST", "/v1/integrations", key,
      R"({"provider":"github","client_id":"c","client_secret":"s","scopes":["repo","read:org"],)"
      R"("settings":{"team":"core","n":2}})");
  REQUIRE(created.status == 201);
  const auto integration = jsonObject(created.body);
  CHECK(integration->getValue<std::string>("name") == "github");
  CHECK(integration->getArray("scopes")->getElement<std::string>(1) == "read:org");
  CHECK(integration->getObject("settings")->getValue<std::string>("team") == "core");
  CHECK(integration->getObject("settings")->getValue<int>("n") == 2);
  CHECK(integration->getArray("allowed_return_urls")->size() == 0);
}

TEST_CASE("Key-based providers need no client registration", "[api]") {
  ApiServer api;
  const std::string key = api.account("acme");
  CHECK(api.call("POST", "/v1/integrations", key, R"({"provider":"example-api-key"})").status ==
        201);
  CHECK(api.call("POST", "/v1/integrations", key, R"({"provider":"example-basic"})").status == 201);
  const auto cc = api.call("POST", "/v1/integrations", key, R"({"provider":"example-oauth2-cc"})");
  CHECK(cc.status == 400);
  CHECK(fieldProblem(cc, "client_id") == "is required for oauth2_cc providers");
  CHECK(fieldProblem(cc, "client_secret") == "is required for oauth2_cc providers");
}

TEST_CASE("POST /v1/integrations names every invalid field", "[api]") {
  ApiServer api;
  const std::string key = api.account("acme");
  struct Case {
    std::string body;
    std::string field;
    std::string problem;
  };
  const std::vector<Case> cases = {
      {"", "body", "must be a JSON object"},
      {"{", "body", "must be a JSON object"},
      {"[1]", "body", "must be a JSON object"},
      {R"({})", "provider", "is required"},
      {R"({"provider":7})", "provider", "must be a string"},
      {R"({"provider":"nope"})", "provider", "is not a loaded provider (GET /v1/providers)"},
      {R"({"provider":"example-api-key","nmae":"x"})", "nmae", "is not a known field"},
      {R"({"provider":"example-api-key","name":"Bad Name"})", "name",
       "must match ^[a-z0-9][a-z0-9_-]{0,63}$"},
      {R"({"provider":"example-api-key","name":"a/b"})", "name",
       "must match ^[a-z0-9][a-z0-9_-]{0,63}$"},
      {R"({"provider":"example-api-key","name":""})", "name", "must not be empty"},
      {R"({"provider":"github","client_id":"c"})", "client_secret",
       "is required for oauth2 providers"},
      {R"({"provider":"github","client_id":"c","client_secret":""})", "client_secret",
       "must not be empty"},
      {R"({"provider":"github","client_id":"c\r\nX: y","client_secret":"s"})", "client_id",
       "must not contain control characters"},
      {R"({"provider":"github","client_id":"c","client_secret":["s"]})", "client_secret",
       "must be a string"},
      {R"({"provider":"example-api-key","scopes":"a b"})", "scopes", "must be an array of strings"},
      {R"({"provider":"example-api-key","scopes":["a",3]})", "scopes[1]", "must be a string"},
      {R"({"provider":"example-api-key","scopes":["a b"]})", "scopes[0]",
       "must be a scope token (printable ASCII, no space, quote or backslash)"},
      {R"({"provider":"example-api-key","allowed_return_urls":["http://app.example/cb"]})",
       "allowed_return_urls[0]", "must use https (http is only allowed for loopback hosts)"},
      {R"({"provider":"example-api-key","allowed_return_urls":["/relative"]})",
       "allowed_return_urls[0]", "must be an absolute https URL (got '/relative')"},
      {R"({"provider":"example-api-key","allowed_return_urls":["https://u:p@app.example/"]})",
       "allowed_return_urls[0]",
       "must not carry a user name or password (credentials belong in keyhop's store, not in a "
       "descriptor)"},
      {R"({"provider":"example-api-key","allowed_return_urls":["https://${connection.x}/"]})",
       "allowed_return_urls[0]", "must not contain a placeholder"},
      {R"({"provider":"example-api-key","settings":[]})", "settings", "must be an object"},
  };
  for (const auto& c : cases) {
    INFO(c.body);
    const auto result = api.call("POST", "/v1/integrations", key, c.body);
    CHECK(result.status == 400);
    CHECK(errorCode(result) == "invalid_request");
    CHECK(result.header("Keyhop-Error") == "invalid_request");
    CHECK(fieldProblem(result, c.field) == c.problem);
  }
  CHECK(api.call("GET", "/v1/integrations", key).body == R"({"integrations":[]})");
}

TEST_CASE("One 400 lists every problem of the body at once", "[api]") {
  ApiServer api;
  const std::string key = api.account("acme");
  const auto result = api.call("POST", "/v1/integrations", key,
                               R"({"provider":"github","scopes":[1],"extra":true})");
  REQUIRE(result.status == 400);
  const auto fields = jsonObject(result.body)->getObject("error")->getObject("fields");
  CHECK(fields->size() == 4);  // client_id, client_secret, scopes[0], extra
  const std::string message =
      jsonObject(result.body)->getObject("error")->getValue<std::string>("message");
  CHECK(message.find("client_secret is required") != std::string::npos);
  CHECK(message.find("extra is not a known field") != std::string::npos);
}
