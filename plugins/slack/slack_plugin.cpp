// Slack (OAuth v2). Three quirks need code:
// - oauth.v2.access answers HTTP 200 with {"ok": false, "error": "..."} on failure, and puts
//   the token top-level for a bot install but under authed_user for a user-only install;
// - an API call with a dead token is also an HTTP 200, {"ok": false, "error": "invalid_auth"};
// - user scopes go in their own authorize parameter, user_scope; an integration lists them
//   with a "user:" prefix ("user:search:read").

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "json_reader.hpp"
#include "keyhop/sdk.hpp"

namespace keyhop::slack {

namespace {

constexpr std::string_view kDescriptor = R"yaml(
id: slack
name: Slack
docs: https://docs.slack.dev/authentication/installing-with-oauth
auth: oauth2
authorize_url: https://slack.com/oauth/v2/authorize
token_url: https://slack.com/api/oauth.v2.access
scopes: {default: [], separator: ","}
token_request: {auth: client_secret_basic, body: form}
refresh: {rotates_refresh_token: true}
api:
  base_url: https://slack.com/api
  stamp: {header: Authorization, format: "Bearer ${access_token}"}
)yaml";

constexpr std::string_view kUserScopePrefix = "user:";

// Slack's error codes that mean the token itself is no good (docs.slack.dev, "Common errors").
constexpr std::array<std::string_view, 5> kAuthErrors = {
    "invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive"};

const std::string* stringAt(const json::Value& object, std::string_view key) {
  const json::Value* value = object.get(key);
  return value ? value->asString() : nullptr;
}

void capture(const json::Value& object, std::string_view key, const std::string& as,
             TokenSet& tokens) {
  if (const std::string* value = stringAt(object, key)) tokens.captured[as] = *value;
}

std::string percentEncode(std::string_view text) {
  constexpr std::string_view kHex = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z') ||
        (byte >= '0' && byte <= '9') || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0x0F];
    }
  }
  return out;
}

std::string join(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

class SlackProvider final : public Provider {
 public:
  HookStatus parseTokenResponse(const ProviderSpec& /*spec*/, const ResponseView& response,
                                TokenSet& tokens, std::string& error) noexcept override {
    const json::ParseResult parsed = json::parse(response.body);
    if (!parsed.value || !parsed.value->asObject()) {
      error = "Slack's token response (HTTP " + std::to_string(response.status) +
              ") is not a JSON object";
      return HookStatus::Failed;
    }
    const json::Value& root = *parsed.value;
    const json::Value* ok = root.get("ok");
    if (!ok || !ok->asBool()) {
      error = "Slack's token response has no \"ok\" field";
      return HookStatus::Failed;
    }
    if (!*ok->asBool()) {
      const std::string* code = stringAt(root, "error");
      error = code ? *code : "Slack answered \"ok\": false without an error code";
      return HookStatus::Failed;
    }

    // A bot install (and any refresh) answers top-level; a user-only install answers in
    // authed_user, with its own refresh_token and expires_in when token rotation is on.
    const json::Value* source = &root;
    if (!stringAt(root, "access_token")) source = root.get("authed_user");
    const std::string* access_token = source ? stringAt(*source, "access_token") : nullptr;
    if (!access_token || access_token->empty()) {
      error = "Slack's token response has no access_token";
      return HookStatus::Failed;
    }
    tokens.access_token = *access_token;
    if (const std::string* refresh_token = stringAt(*source, "refresh_token")) {
      tokens.refresh_token = *refresh_token;
    }
    if (const std::string* scope = stringAt(*source, "scope")) tokens.scope = *scope;
    if (const json::Value* expires_in = source->get("expires_in")) {
      tokens.expires_in_s = expires_in->asInteger();
    }
    capture(*source, "token_type", "token_type", tokens);
    capture(root, "app_id", "app_id", tokens);
    capture(root, "bot_user_id", "bot_user_id", tokens);
    if (const json::Value* team = root.get("team")) {
      capture(*team, "id", "team_id", tokens);
      capture(*team, "name", "team_name", tokens);
    }
    if (const json::Value* enterprise = root.get("enterprise")) {
      capture(*enterprise, "id", "enterprise_id", tokens);
    }
    if (const json::Value* user = root.get("authed_user")) {
      capture(*user, "id", "authed_user_id", tokens);
    }
    return HookStatus::Done;
  }

  HookStatus recognizeAuthFailure(const ProviderSpec& /*spec*/, const ResponseView& response,
                                  bool& rejected) noexcept override {
    if (response.status != 200) return HookStatus::Declined;
    const json::ParseResult parsed = json::parse(response.body);
    const json::Value* ok = parsed.value ? parsed.value->get("ok") : nullptr;
    if (!ok || !ok->asBool()) return HookStatus::Declined;  // not a Web API answer
    rejected = false;
    if (!*ok->asBool()) {
      if (const std::string* code = stringAt(*parsed.value, "error")) {
        for (const std::string_view auth_error : kAuthErrors) rejected |= *code == auth_error;
      }
    }
    return HookStatus::Done;
  }

  HookStatus buildAuthorizeUrl(const ProviderSpec& spec, const AuthorizeRequest& request,
                               std::string& url) noexcept override {
    std::vector<std::string> bot_scopes;
    std::vector<std::string> user_scopes;
    for (const auto& scope : request.scopes) {
      if (scope.compare(0, kUserScopePrefix.size(), kUserScopePrefix) == 0) {
        user_scopes.push_back(scope.substr(kUserScopePrefix.size()));
      } else {
        bot_scopes.push_back(scope);
      }
    }
    if (user_scopes.empty()) return HookStatus::Declined;

    std::vector<std::pair<std::string, std::string>> params = {
        {"client_id", request.client.client_id},
        {"redirect_uri", request.redirect_uri},
        {"state", request.state},
        {"user_scope", join(user_scopes, spec.scopes.separator)}};
    if (!bot_scopes.empty()) params.emplace_back("scope", join(bot_scopes, spec.scopes.separator));
    if (!request.code_challenge.empty()) {
      params.emplace_back("code_challenge", request.code_challenge);
      params.emplace_back("code_challenge_method", "S256");
    }
    for (const auto& [name, value] : spec.authorize_params) params.emplace_back(name, value);

    url = spec.authorize_url;
    char separator = url.find('?') == std::string::npos ? '?' : '&';
    for (const auto& [name, value] : params) {
      url += separator;
      url += percentEncode(name) + "=" + percentEncode(value);
      separator = '&';
    }
    return HookStatus::Done;
  }
};

PluginInfo makePlugin() {
  return PluginInfo{"slack", "1.0.0",
                    {ProviderDefinition{std::string(kDescriptor),
                                        std::make_shared<SlackProvider>()}}};
}

}  // namespace

}  // namespace keyhop::slack

KEYHOP_PLUGIN(keyhop::slack::makePlugin)
