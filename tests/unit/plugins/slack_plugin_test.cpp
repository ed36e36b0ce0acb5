#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "core/registry/plugin_loader.hpp"

using keyhop::HookStatus;
using keyhop::ResponseView;
using keyhop::TokenSet;

namespace {

// The built slack.so, loaded once through the core's loader as keyhop itself loads it.
const keyhop::registry::ProviderEntry& slack() {
  static const auto result =
      keyhop::registry::loadPlugin(std::filesystem::path(KEYHOP_PLUGIN_DIR) / "slack.so");
  REQUIRE(result.errors.empty());
  REQUIRE(result.providers.size() == 1);
  return result.providers.front();
}

struct Parsed {
  HookStatus status;
  TokenSet tokens;
  std::string error;
};

Parsed parseToken(const std::string& body, int status = 200) {
  const keyhop::HeaderList headers;
  Parsed parsed{HookStatus::Declined, {}, {}};
  const ResponseView response{status, headers, body};
  parsed.status =
      slack().hooks->parseTokenResponse(slack().spec, response, parsed.tokens, parsed.error);
  return parsed;
}

// Returns the hook's status; `rejected` starts true so a hook that forgets to set it shows.
HookStatus authFailure(const std::string& body, bool& rejected, int status = 200) {
  const keyhop::HeaderList headers;
  rejected = true;
  return slack().hooks->recognizeAuthFailure(slack().spec, ResponseView{status, headers, body},
                                             rejected);
}

}  // namespace

TEST_CASE("the slack plugin defines Slack's OAuth v2 endpoints", "[plugins]") {
  const auto& spec = slack().spec;
  CHECK(spec.id == "slack");
  CHECK(spec.auth == keyhop::AuthMode::OAuth2);
  CHECK(spec.authorize_url == "https://slack.com/oauth/v2/authorize");
  CHECK(spec.token_url == "https://slack.com/api/oauth.v2.access");
  CHECK(spec.scopes.separator == ",");
  CHECK(spec.api.base_url == "https://slack.com/api");
  CHECK(spec.api.stamp.header == "Authorization");
  CHECK(spec.api.stamp.format == "Bearer ${access_token}");
  CHECK(spec.refresh.rotates_refresh_token);
  CHECK(slack().library->name() == "slack");
}

TEST_CASE("slack: a bot install's token is top-level", "[plugins]") {
  const auto parsed = parseToken(R"({
    "ok": true, "access_token": "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy",
    "token_type": "bot", "scope": "commands,incoming-webhook",
    "bot_user_id": "U0KRQLJ9H", "app_id": "A0KRD7HC3",
    "team": {"name": "Slack Softball Team", "id": "T9TK3CUKW"},
    "enterprise": null, "is_enterprise_install": false,
    "authed_user": {"id": "U1234", "scope": "chat:write", "access_token": "xoxp-1234",
                    "token_type": "user"},
    "response_metadata": {"warnings": ["superfluous_charset"]}
  })");
  REQUIRE(parsed.status == HookStatus::Done);
  CHECK(parsed.tokens.access_token == "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy");
  CHECK(parsed.tokens.refresh_token.empty());
  CHECK_FALSE(parsed.tokens.expires_in_s);  // without token rotation Slack tokens do not expire
  CHECK(parsed.tokens.scope == "commands,incoming-webhook");
  CHECK(parsed.tokens.captured.at("token_type") == "bot");
  CHECK(parsed.tokens.captured.at("team_id") == "T9TK3CUKW");
  CHECK(parsed.tokens.captured.at("team_name") == "Slack Softball Team");
  CHECK(parsed.tokens.captured.at("bot_user_id") == "U0KRQLJ9H");
  CHECK(parsed.tokens.captured.at("authed_user_id") == "U1234");
  CHECK(parsed.tokens.captured.count("enterprise_id") == 0);
}

TEST_CASE("slack: with token rotation the answer carries a refresh token and a lifetime",
          "[plugins]") {
  const auto parsed = parseToken(
      R"({"ok":true,"access_token":"xoxe.xoxb-1-abc","expires_in":43200,)"
      R"("refresh_token":"xoxe-1-def","token_type":"bot","scope":"chat:write",)"
      R"("team":{"id":"T1","name":"Caf\u00e9 \ud83d\ude80 \"HQ\""},)"
      R"("enterprise":{"id":"E1","name":"Grid"}})");
  REQUIRE(parsed.status == HookStatus::Done);
  CHECK(parsed.tokens.access_token == "xoxe.xoxb-1-abc");
  CHECK(parsed.tokens.refresh_token == "xoxe-1-def");
  CHECK(parsed.tokens.expires_in_s == 43200);
  CHECK(parsed.tokens.captured.at("team_name") == "Caf\xC3\xA9 \xF0\x9F\x9A\x80 \"HQ\"");
  CHECK(parsed.tokens.captured.at("enterprise_id") == "E1");
}

TEST_CASE("slack: a user-only install's token is under authed_user", "[plugins]") {
  const auto parsed = parseToken(R"({
    "ok": true, "app_id": "A0KRD7HC3",
    "authed_user": {"id": "U1234", "scope": "search:read,users:read",
                    "access_token": "xoxe.xoxp-1-user", "token_type": "user",
                    "refresh_token": "xoxe-1-user-refresh", "expires_in": 43200},
    "team": {"id": "T9TK3CUKW", "name": "Team"}, "enterprise": null,
    "is_enterprise_install": false
  })");
  REQUIRE(parsed.status == HookStatus::Done);
  CHECK(parsed.tokens.access_token == "xoxe.xoxp-1-user");
  CHECK(parsed.tokens.refresh_token == "xoxe-1-user-refresh");
  CHECK(parsed.tokens.expires_in_s == 43200);
  CHECK(parsed.tokens.scope == "search:read,users:read");
  CHECK(parsed.tokens.captured.at("token_type") == "user");
  CHECK(parsed.tokens.captured.at("authed_user_id") == "U1234");
  CHECK(parsed.tokens.captured.at("app_id") == "A0KRD7HC3");
}

TEST_CASE("slack: failed token answers are Failed with Slack's reason", "[plugins]") {
  SECTION("ok: false carries Slack's error code") {
    const auto parsed = parseToken(R"({"ok": false, "error": "invalid_code"})");
    CHECK(parsed.status == HookStatus::Failed);
    CHECK(parsed.error == "invalid_code");
  }
  SECTION("ok: true without any access token") {
    const auto parsed = parseToken(R"({"ok": true, "authed_user": {"id": "U1"}})");
    CHECK(parsed.status == HookStatus::Failed);
    CHECK(parsed.error == "Slack's token response has no access_token");
  }
  SECTION("no ok field") {
    const auto parsed = parseToken(R"({"access_token": "xoxb-1"})");
    CHECK(parsed.status == HookStatus::Failed);
    CHECK(parsed.error == "Slack's token response has no \"ok\" field");
  }
  SECTION("not JSON, or not an object, or broken JSON") {
    const std::vector<std::string> bodies = {
        "<html>Bad Gateway</html>", "[1, 2]", R"({"ok": true,})", R"({"ok": tru})",
        R"({"ok": true, "access_token": "xoxb-\x"})", R"({"ok": true, "a": "\ud83d"})",
        R"({"ok": true} trailing)", R"({"ok": 01})", "", R"({"ok": "true")",
        "{\"ok\": true, \"a\": \"raw\ttab\"}", std::string(100000, '[')};
    for (const auto& body : bodies) {
      INFO(body);
      const auto parsed = parseToken(body, 502);
      CHECK(parsed.status == HookStatus::Failed);
      CHECK(parsed.error == "Slack's token response (HTTP 502) is not a JSON object");
    }
  }
}

TEST_CASE("slack: an HTTP 200 with a dead-token error is an auth failure", "[plugins]") {
  bool rejected = false;
  for (const char* code :
       {"invalid_auth", "token_revoked", "token_expired", "not_authed", "account_inactive"}) {
    INFO(code);
    CHECK(authFailure(std::string(R"({"ok":false,"error":")") + code + "\"}", rejected) ==
          HookStatus::Done);
    CHECK(rejected);
  }
}

TEST_CASE("slack: other answers are not auth failures", "[plugins]") {
  bool rejected = true;
  SECTION("ok: true") {
    CHECK(authFailure(R"({"ok": true, "channels": [{"id": "C1", "is_member": false}]})",
                      rejected) == HookStatus::Done);
    CHECK_FALSE(rejected);
  }
  SECTION("another error") {
    CHECK(authFailure(R"({"ok": false, "error": "channel_not_found"})", rejected) ==
          HookStatus::Done);
    CHECK_FALSE(rejected);
  }
  SECTION("not a Web API answer: the core decides") {
    CHECK(authFailure("\x89PNG\r\n", rejected) == HookStatus::Declined);
    CHECK(authFailure(R"({"data": 1})", rejected) == HookStatus::Declined);
    CHECK(authFailure(R"({"ok":false,"error":"invalid_auth"})", rejected, 401) ==
          HookStatus::Declined);
  }
}

TEST_CASE("slack: user scopes go in user_scope", "[plugins]") {
  keyhop::AuthorizeRequest request;
  request.client.client_id = "123.456";
  request.redirect_uri = "https://keyhop.example.com/oauth/callback";
  request.state = "st/ate";
  request.code_challenge = "challenge";
  std::string url;

  SECTION("no user scopes: the generic URL will do") {
    request.scopes = {"chat:write", "channels:read"};
    CHECK(slack().hooks->buildAuthorizeUrl(slack().spec, request, url) == HookStatus::Declined);
  }
  SECTION("bot and user scopes") {
    request.scopes = {"chat:write", "user:search:read", "channels:read", "user:users:read"};
    REQUIRE(slack().hooks->buildAuthorizeUrl(slack().spec, request, url) == HookStatus::Done);
    CHECK(url ==
          "https://slack.com/oauth/v2/authorize?client_id=123.456"
          "&redirect_uri=https%3A%2F%2Fkeyhop.example.com%2Foauth%2Fcallback&state=st%2Fate"
          "&user_scope=search%3Aread%2Cusers%3Aread&scope=chat%3Awrite%2Cchannels%3Aread"
          "&code_challenge=challenge&code_challenge_method=S256");
  }
  SECTION("user scopes only") {
    request.scopes = {"user:search:read"};
    request.code_challenge.clear();
    REQUIRE(slack().hooks->buildAuthorizeUrl(slack().spec, request, url) == HookStatus::Done);
    CHECK(url ==
          "https://slack.com/oauth/v2/authorize?client_id=123.456"
          "&redirect_uri=https%3A%2F%2Fkeyhop.example.com%2Foauth%2Fcallback&state=st%2Fate"
          "&user_scope=search%3Aread");
  }
}
