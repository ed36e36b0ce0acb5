#include <catch2/catch.hpp>

#include "tests/integration/api_harness.hpp"

using keyhop::server::testing::ApiServer;
using keyhop::server::testing::errorCode;
using keyhop::server::testing::jsonObject;
using keyhop::server::testing::oauthIntegrationBody;

TEST_CASE("One account's key never reaches another account's integrations or connections",
          "[api]") {
  ApiServer api;
  const std::string alice = api.account("alice");
  const std::string bob = api.account("bob");
  REQUIRE(
      api.call("POST", "/v1/integrations", alice, oauthIntegrationBody("crm", "alice-cs")).status ==
      201);
  REQUIRE(api.call("POST", "/v1/integrations", alice,
                   R"({"provider":"example-header-key","name":"keyed"})")
              .status == 201);
  REQUIRE(api.call("POST", "/v1/connections", alice,
                   R"({"integration":"keyed","user_id":"u1","api_key":"alice-key"})")
              .status == 201);

  // Bob sees none of it.
  CHECK(api.call("GET", "/v1/integrations", bob).body == R"({"integrations":[]})");
  CHECK(api.call("GET", "/v1/connections", bob).body == R"({"connections":[]})");
  for (const char* target : {"/v1/integrations/crm", "/v1/integrations/keyed"}) {
    const auto result = api.call("GET", target, bob);
    CHECK(result.status == 404);
    CHECK(errorCode(result) == "integration_not_found");
  }
  const auto get = api.call("GET", "/v1/connections/keyed/u1", bob);
  CHECK(get.status == 404);
  CHECK(errorCode(get) == "connection_not_found");

  // Nor can he act on it.
  CHECK(api.call("DELETE", "/v1/connections/keyed/u1", bob).status == 404);
  const auto session = api.call("POST", "/v1/connect-sessions", bob,
                                R"({"integration":"crm","user_id":"u1",)"
                                R"("connection_fields":{"subdomain":"acme"}})");
  CHECK(session.status == 404);
  CHECK(errorCode(session) == "integration_not_found");
  const auto overwrite = api.call("POST", "/v1/connections", bob,
                                  R"({"integration":"keyed","user_id":"u1","api_key":"bob-key"})");
  CHECK(overwrite.status == 404);

  // Alice's connection is untouched, and Bob may use the same names for his own.
  const auto still = api.call("GET", "/v1/connections/keyed/u1", alice);
  CHECK(still.status == 200);
  REQUIRE(
      api.call("POST", "/v1/integrations", bob, R"({"provider":"example-header-key","name":"keyed"})")
          .status == 201);
  REQUIRE(api.call("POST", "/v1/connections", bob,
                   R"({"integration":"keyed","user_id":"u1","api_key":"bob-key"})")
              .status == 201);
  const auto alice_id = jsonObject(still.body)->getValue<std::string>("id");
  const auto bob_one = api.call("GET", "/v1/connections/keyed/u1", bob);
  CHECK(jsonObject(bob_one.body)->getValue<std::string>("id") != alice_id);
  CHECK(api.call("DELETE", "/v1/connections/keyed/u1", bob).status == 204);
  CHECK(api.call("GET", "/v1/connections/keyed/u1", alice).status == 200);

  const auto account_id = api.accountId(alice);
  const auto integration = api.store().findIntegrationByName(account_id, "keyed");
  REQUIRE(integration);
  CHECK(api.store().findConnection({account_id, integration->info.id, "u1"})->credentials.api_key ==
        "alice-key");
  CHECK(api.everyResponse().find("alice-cs") == std::string::npos);
}
