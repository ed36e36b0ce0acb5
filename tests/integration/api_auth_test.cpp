#include <catch2/catch.hpp>

#include "tests/integration/api_harness.hpp"

using keyhop::server::testing::ApiServer;
using keyhop::server::testing::errorCode;

TEST_CASE("Account routes refuse a missing, malformed or unknown secret key", "[api]") {
  ApiServer api;
  const std::string key = api.account("acme");
  const std::string unknown = "sk_" + std::string(43, 'A');

  const std::vector<keyhop::HeaderList> refused = {
      {},
      {{"Authorization", "Bearer"}},
      {{"Authorization", "Bearer "}},
      {{"Authorization", "Basic " + key}},
      {{"Authorization", key}},
      {{"Authorization", "Bearer " + unknown}},
      {{"Authorization", "Bearer " + key + "x"}},
      {{"Authorization", "Bearer " + key.substr(0, key.size() - 1)}},
  };
  for (const auto& headers : refused) {
    for (const char* target : {"/v1/integrations", "/v1/connections", "/v1/integrations/x"}) {
      const auto result = api.callWithHeaders("GET", target, headers);
      INFO(target << " with " << (headers.empty() ? "no header" : headers[0].value));
      CHECK(result.status == 401);
      CHECK(errorCode(result) == "invalid_secret_key");
      CHECK(result.header("Keyhop-Error") == "invalid_secret_key");
      CHECK(result.header("WWW-Authenticate") == "Bearer");
      CHECK(result.header("Content-Type") == "application/json");
    }
  }
  // POST routes check the key before the body.
  for (const char* target : {"/v1/integrations", "/v1/connect-sessions", "/v1/connections"}) {
    const auto result = api.call("POST", target, unknown, "not json");
    CHECK(result.status == 401);
  }
  const auto deleted = api.call("DELETE", "/v1/connections/crm/u1", unknown);
  CHECK(deleted.status == 401);

  // The key sent is never echoed.
  CHECK(api.everyResponse().find(unknown) == std::string::npos);
  CHECK(api.everyResponse().find(key) == std::string::npos);
}

TEST_CASE("A valid secret key is accepted, with any case of the scheme", "[api]") {
  ApiServer api;
  const std::string key = api.account("acme");
  for (const std::string scheme : {"Bearer ", "bearer ", "BEARER  "}) {
    const auto result =
        api.callWithHeaders("GET", "/v1/integrations", {{"Authorization", scheme + key}});
    CHECK(result.status == 200);
    CHECK(result.body == R"({"integrations":[]})");
  }
}

TEST_CASE("The catalog routes need no key", "[api]") {
  ApiServer api;
  CHECK(api.call("GET", "/v1/providers", "").status == 200);
  CHECK(api.call("GET", "/v1/providers/example-api-key", "").status == 200);
  CHECK(api.call("GET", "/healthz", "").status == 200);
}
