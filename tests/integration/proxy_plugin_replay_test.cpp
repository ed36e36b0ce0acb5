// A provider whose refusals are HTTP 200 (Slack's {"ok":false,"error":"invalid_auth"}), through
// the proxy: the shipped Slack plugin's recognizeAuthFailure hook tells keyhop, which refreshes
// once and replays, as it does for a 401.

#include <catch2/catch.hpp>

#include "tests/integration/catalog_harness.hpp"
#include "tests/integration/proxy_harness.hpp"

using keyhop::fakes::FakeProvider;
using keyhop::proxy::testing::generatedSecret;
using keyhop::proxy::testing::kUser;
using keyhop::server::testing::ApiServer;
using keyhop::server::testing::jsonObject;
namespace catalog = keyhop::catalog::testing;

namespace {

catalog::CatalogSource slackPlugin() {
  for (auto& source : catalog::catalogSources()) {
    if (source.plugin && source.id == "slack") return source;
  }
  FAIL("the Slack plugin is not built");
  return {};
}

}  // namespace

TEST_CASE("A Slack-style 200 refusal refreshes the token once and replays the request",
          "[proxy]") {
  const std::string client_secret = generatedSecret("client-secret");
  FakeProvider fake;
  fake.configure([&](keyhop::fakes::Options& options) {
    options.clients = {{"client-id", client_secret, {}}};
    options.rotate_refresh_tokens = true;
    catalog::pluginQuirks("slack", options);
  });
  auto slack = catalog::aimPlugin(slackPlugin(), fake.url());
  ApiServer api({}, false, {}, std::move(slack.entries));
  const std::string key = api.account("acme");
  REQUIRE(api.call("POST", "/v1/integrations", key,
                   R"({"provider":")" + slack.id +
                       R"(","client_id":"client-id","client_secret":")" + client_secret + "\"}")
              .status == 201);
  const auto tokens = fake.issueTokens("provider-user");
  keyhop::proxy::testing::seedOAuthConnection(api, key, slack.id, tokens);
  const auto call = [&] {
    return keyhop::test::httpRequest(api.port(), "POST", "/proxy/" + slack.id + "/auth.test", "",
                                     {{"Authorization", "Bearer " + key},
                                      {"Keyhop-User-Id", kUser}});
  };

  const auto first = call();
  REQUIRE(first.status == 200);
  CHECK(jsonObject(first.body)->getValue<bool>("ok"));
  REQUIRE(fake.expireToken(tokens.access_token));  // the provider revokes it early

  const auto replayed = call();
  CHECK(replayed.status == 200);
  CHECK(jsonObject(replayed.body)->getValue<bool>("ok"));  // the refusal never reached the client
  const auto counters = fake.counters();
  CHECK(counters.refreshes == 1);
  CHECK(counters.api_rejected == 1);
  CHECK(counters.api_calls_by_token.count(tokens.access_token) == 1);
  CHECK(counters.api_calls_by_token.size() == 2);  // the old token once, the new one once

  REQUIRE(call().status == 200);  // the renewed token is kept
  CHECK(fake.counters().refreshes == 1);
}
