#include "core/credentials/refresh_policy.hpp"

#include "core/flows/token_credentials.hpp"

namespace keyhop::credentials {

bool renewsTokens(const ProviderSpec& spec) {
  return spec.auth == AuthMode::OAuth2 || spec.auth == AuthMode::OAuth2ClientCredentials;
}

RefreshNeed refreshNeed(const ProviderSpec& spec, const Credentials& credentials, bool force,
                        std::int64_t now) {
  if (!renewsTokens(spec)) return RefreshNeed::None;
  if (credentials.access_token.empty() || force) return RefreshNeed::Now;
  if (!credentials.expires_at) return RefreshNeed::None;
  if (now >= *credentials.expires_at) return RefreshNeed::Now;
  if (now >= *credentials.expires_at - spec.refresh.margin_s) return RefreshNeed::Soon;
  return RefreshNeed::None;
}

Credentials withTokens(const Credentials& current, const TokenSet& tokens, std::int64_t now) {
  Credentials renewed = flows::credentialsFromTokens(tokens, now, current.connection_fields);
  for (const auto& [name, value] : current.captured) renewed.captured.emplace(name, value);
  return renewed;
}

}  // namespace keyhop::credentials
