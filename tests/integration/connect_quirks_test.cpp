// The descriptor quirks the browser flow honours, and how it ends: callback_capture,
// post_connect, re-authorization, the return URL redirect, the opener page, and token endpoints
// that want Basic or post client auth, JSON or form bodies, or answer in form or nested shapes.

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <regex>

#include "tests/integration/connect_harness.hpp"

using namespace keyhop;
using authorization::testing::ConnectFixture;
using authorization::testing::echoedUser;
using authorization::testing::kReturnUrls;
using test::queryValue;

TEST_CASE("callback_capture and post_connect fill the connection's fields", "[connect]") {
  ConnectFixture f([](fakes::Options& o) {
    o.callback_params = {{"realmId", "4620816365"}};
    o.api_responses["/api/metadata"] = {
        200, {{"Content-Type", "application/json"}}, R"({"dc":"us7","login":{"id":"x"}})"};
  });
  f.oauthIntegration("books", "fake-quirks");

  const auto walk = f.connect("books", "user-1");
  CHECK(walk.last.status == 200);
  CHECK(walk.last.header("Keyhop-Error").empty());
  const auto connection = f.stored("books", "user-1");
  REQUIRE(connection);
  const std::map<std::string, std::string> expected = {{"dc", "us7"}, {"realmId", "4620816365"}};
  CHECK(connection->info.connection_fields == expected);
  const auto counters = f.fake.counters();
  CHECK(counters.code_exchanges == 1);
  CHECK(counters.api_calls == 1);  // post_connect, stamped with the new token
  CHECK(counters.api_rejected == 0);
  f.checkNoSecretsLeaked();
}

TEST_CASE("Re-authorizing a user replaces the credentials of the same connection", "[connect]") {
  ConnectFixture f;
  f.oauthIntegration("crm", "fake-oauth2");

  REQUIRE(f.connect("crm", "user-1").last.status == 200);
  const auto first = f.stored("crm", "user-1");
  REQUIRE(first);
  REQUIRE(f.connect("crm", "user-1").last.status == 200);
  const auto second = f.stored("crm", "user-1");
  REQUIRE(second);

  CHECK(second->info.id == first->info.id);
  CHECK(second->info.version == first->info.version + 1);
  CHECK(second->credentials.access_token != first->credentials.access_token);
  CHECK(f.connectionCount() == 1);
  CHECK(f.fake.counters().code_exchanges == 2);
  std::vector<std::string> types;
  for (const auto& event : f.api.store().undeliveredEvents(100)) types.push_back(event.type);
  CHECK(types == std::vector<std::string>{"connection.created", "connection.reauthorized"});
  const auto logs = f.logs.messages();
  CHECK(std::any_of(logs.begin(), logs.end(), [](const std::string& message) {
    return message.rfind("re-authorized integration crm, user user-1", 0) == 0;
  }));
  f.checkNoSecretsLeaked();
}

TEST_CASE("An allowed return URL gets the browser back with status=connected", "[connect]") {
  ConnectFixture f;
  f.oauthIntegration("crm", "fake-oauth2");

  const auto walk = f.connect("crm", "user 9", kReturnUrls[0]);
  CHECK(walk.last.status == 302);
  CHECK(walk.last.header("Referrer-Policy") == "no-referrer");
  REQUIRE(walk.left_to.rfind(kReturnUrls[0] + "&", 0) == 0);  // the app's own query is kept
  CHECK(queryValue(walk.left_to, "tab") == "2");
  CHECK(queryValue(walk.left_to, "status") == "connected");
  CHECK(queryValue(walk.left_to, "integration") == "crm");
  CHECK(queryValue(walk.left_to, "user_id") == "user 9");
  CHECK(queryValue(walk.left_to, "error").empty());
  CHECK(queryValue(walk.left_to, "code").empty());
  CHECK(queryValue(walk.left_to, "state").empty());
  CHECK(f.stored("crm", "user 9"));
  f.checkNoSecretsLeaked();
}

TEST_CASE("Without a return URL the page posts to the opener's exact origins under a CSP nonce",
          "[connect]") {
  ConnectFixture f;
  f.oauthIntegration("crm", "fake-oauth2");

  const auto walk = f.connect("crm", "user-3");
  REQUIRE(walk.last.status == 200);
  CHECK(walk.left_to.empty());
  const std::string& page = walk.last.body;
  CHECK(walk.last.header("Content-Type").rfind("text/html", 0) == 0);
  CHECK(page.find("window.opener.postMessage(message, \"https://app.example\");") !=
        std::string::npos);
  CHECK(page.find("window.opener.postMessage(message, \"http://127.0.0.1:3000\");") !=
        std::string::npos);
  CHECK(page.find("\"*\"") == std::string::npos);
  CHECK(page.find(R"("type":"keyhop:connect","status":"connected","integration":"crm",)"
                  R"("user_id":"user-3")") != std::string::npos);

  std::smatch nonce;
  const std::string csp = walk.last.header("Content-Security-Policy");
  REQUIRE(std::regex_search(csp, nonce, std::regex("script-src 'nonce-([0-9a-f]{32})'")));
  CHECK(csp.find("default-src 'none'") != std::string::npos);
  CHECK(page.find("<script nonce=\"" + nonce[1].str() + "\">") != std::string::npos);
  CHECK(f.connect("crm", "user-4").last.body.find(nonce[1].str()) == std::string::npos);
  f.checkNoSecretsLeaked();
}

TEST_CASE(
    "Token endpoints with Basic or post auth, JSON or form bodies and answers, nested "
    "tokens each connect",
    "[connect]") {
  ConnectFixture f;
  struct Variant {
    std::string provider;
    std::function<void(fakes::Options&)> fake;
  };
  const std::vector<Variant> variants = {
      {"fake-basic-form",
       [](fakes::Options& o) {
         o.client_auth = fakes::ClientAuth::Basic;
         o.token_body = fakes::BodyFormat::Form;
       }},
      {"fake-basic-json",
       [](fakes::Options& o) {
         o.client_auth = fakes::ClientAuth::Basic;
         o.token_body = fakes::BodyFormat::Json;
       }},
      {"fake-post-json",
       [](fakes::Options& o) {
         o.client_auth = fakes::ClientAuth::Post;
         o.token_body = fakes::BodyFormat::Json;
       }},
      {"fake-oauth2",  // the defaults: client_secret_post, a form body
       [](fakes::Options& o) {
         o.client_auth = fakes::ClientAuth::Post;
         o.token_body = fakes::BodyFormat::Form;
       }},
      {"fake-oauth2", [](fakes::Options& o) { o.response_format = fakes::ResponseFormat::Form; }},
      {"fake-nested", [](fakes::Options& o) { o.nest_tokens_under = "authed_user"; }},
  };
  for (std::size_t i = 0; i < variants.size(); ++i) {
    const Variant& variant = variants[i];
    const std::string name = "v" + std::to_string(i);
    INFO("variant " << name << " with " << variant.provider);
    f.fake.configure(
        [&](fakes::Options& o) { o = ConnectFixture::fakeOptions(f.client_secret, variant.fake); });
    f.oauthIntegration(name, variant.provider);
    f.fake.resetCounters();

    const auto walk = f.connect(name, "user-1");
    CHECK(walk.last.status == 200);
    CHECK(walk.last.header("Keyhop-Error").empty());
    const auto counters = f.fake.counters();
    CHECK(counters.code_exchanges == 1);
    CHECK(counters.token_errors == 0);
    const auto connection = f.stored(name, "user-1");
    REQUIRE(connection);
    CHECK_FALSE(connection->credentials.refresh_token.empty());
    REQUIRE(connection->credentials.expires_at);
    CHECK(*connection->credentials.expires_at > store::unixNow() + 3500);
    CHECK(echoedUser(f.callApi(variant.provider, *connection, "/api/me")) == "user-1");
  }
  f.checkNoSecretsLeaked();
}
