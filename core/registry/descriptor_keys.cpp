#include "core/registry/descriptor_keys.hpp"

namespace keyhop::registry {

namespace {

constexpr ModeSet kOAuth2 = modeBit(AuthMode::OAuth2);
constexpr ModeSet kClientCredentials = modeBit(AuthMode::OAuth2ClientCredentials);
constexpr ModeSet kOAuth1 = modeBit(AuthMode::OAuth1);
// Modes with a token endpoint, and modes where the end user is sent to the provider.
constexpr ModeSet kTokenModes = kOAuth2 | kClientCredentials | kOAuth1;
constexpr ModeSet kRedirectModes = kOAuth2 | kOAuth1;

}  // namespace

const std::vector<TopLevelKey>& topLevelKeys() {
  static const std::vector<TopLevelKey> keys = {
      {"id", kAllModes, kAllModes},
      {"name", kAllModes, kAllModes},
      {"docs", kAllModes, kNoModes},
      {"auth", kAllModes, kAllModes},
      {"authorize_url", kRedirectModes, kRedirectModes},
      {"token_url", kTokenModes, kTokenModes},
      {"refresh_url", kOAuth2, kNoModes},
      {"issuer", kOAuth2, kNoModes},
      {"scopes", kTokenModes, kNoModes},
      {"authorize_params", kRedirectModes, kNoModes},
      {"token_params", kTokenModes, kNoModes},
      {"refresh_params", kOAuth2, kNoModes},
      {"token_request", kOAuth2 | kClientCredentials, kNoModes},
      {"pkce", kOAuth2, kNoModes},
      {"callback_capture", kRedirectModes, kNoModes},
      {"token_response", kTokenModes, kNoModes},
      {"refresh", kOAuth2 | kClientCredentials, kNoModes},
      {"post_connect", kAllModes, kNoModes},
      {"oauth1", kOAuth1, kOAuth1, " (with request_url, the request-token endpoint)"},
      {"connection_fields", kAllModes, kNoModes},
      {"api", kAllModes, kAllModes},
  };
  return keys;
}

std::vector<std::string> topLevelKeyNames() {
  std::vector<std::string> names;
  for (const TopLevelKey& key : topLevelKeys()) names.emplace_back(key.name);
  return names;
}

const std::vector<std::pair<std::string_view, AuthMode>>& authModeNames() {
  static const std::vector<std::pair<std::string_view, AuthMode>> names = {
      {"oauth2", AuthMode::OAuth2}, {"oauth2_cc", AuthMode::OAuth2ClientCredentials},
      {"oauth1", AuthMode::OAuth1}, {"api_key", AuthMode::ApiKey},
      {"basic", AuthMode::Basic},
  };
  return names;
}

std::string_view authModeName(AuthMode mode) {
  for (const auto& [name, value] : authModeNames()) {
    if (value == mode) return name;
  }
  return "unknown";
}

}  // namespace keyhop::registry
