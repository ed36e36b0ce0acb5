// A subdomain the end user gives lands in the provider's host name: a bad one is refused when
// the session is minted (the field named), and even a descriptor with a loose pattern cannot get
// one past /connect, where the filled host must be a strict host name.

#include <catch2/catch.hpp>

#include "tests/integration/connect_harness.hpp"

using namespace keyhop;
using authorization::testing::ConnectFixture;
using server::testing::errorCode;
using server::testing::fieldProblem;
using server::testing::jsonObject;

namespace {

test::HttpResult mint(ConnectFixture& f, const std::string& integration,
                      const std::string& json_value) {
  return f.api.call("POST", "/v1/connect-sessions", f.key,
                    R"({"integration":")" + integration +
                        R"(","user_id":"user-1","connection_fields":{"subdomain":)" + json_value +
                        "}}");
}

const std::string kTooLong = "\"" + std::string(300, 'a') + "\"";

}  // namespace

TEST_CASE("Bad subdomains are refused when the session is minted", "[connect]") {
  ConnectFixture f;
  f.oauthIntegration("tenant", "fake-subdomain");
  for (const std::string& value :
       {std::string(R"("evil.com/")"), std::string(R"("a..b")"), std::string(R"("a\r\nb")"),
        std::string(R"("a\nb")"), "\"" + std::string(64, 'a') + "\"", kTooLong}) {
    INFO(value);
    const auto refused = mint(f, "tenant", value);
    CHECK(refused.status == 400);
    CHECK(errorCode(refused) == "invalid_request");
    CHECK_FALSE(fieldProblem(refused, "connection_fields.subdomain").empty());
  }
  CHECK(mint(f, "tenant", R"("acme-eu")").status == 201);  // the control
  CHECK(f.fake.counters().authorize == 0);
  f.checkNoSecretsLeaked();
}

TEST_CASE("A loose subdomain pattern still cannot put a bad host in the authorize URL",
          "[connect]") {
  ConnectFixture f;
  f.oauthIntegration("loose", "fake-loose");

  // What the session's checks alone stop: line breaks and overlong values.
  for (const std::string& value : {std::string(R"("a\r\nb")"), kTooLong}) {
    INFO(value);
    CHECK(fieldProblem(mint(f, "loose", value), "connection_fields.subdomain") != "");
  }
  // What the pattern lets through and /connect refuses.
  for (const std::string& value :
       {std::string(R"("evil.com/")"), std::string(R"("a..b")"), std::string(R"("evil.com#")"),
        std::string(R"("user@evil.com")"), "\"" + std::string(64, 'a') + "\""}) {
    INFO(value);
    const auto minted = mint(f, "loose", value);
    REQUIRE(minted.status == 201);
    const auto walk = f.walk(jsonObject(minted.body)->getValue<std::string>("connect_url"));
    CHECK(walk.left_to.empty());
    CHECK(walk.last.status == 400);
    CHECK(walk.last.header("Keyhop-Error") == "invalid_connection_fields");
    CHECK(walk.last.body.find("subdomain") != std::string::npos);
  }
  // The control: a good value goes on to the tenant's host.
  const auto good = mint(f, "loose", R"("acme")");
  REQUIRE(good.status == 201);
  const auto walk = f.walk(jsonObject(good.body)->getValue<std::string>("connect_url"));
  CHECK(walk.left_to.rfind("https://acme.example.test/oauth/authorize?", 0) == 0);
  CHECK(f.fake.counters().authorize == 0);
  CHECK(f.connectionCount() == 0);
  f.checkNoSecretsLeaked();
}
