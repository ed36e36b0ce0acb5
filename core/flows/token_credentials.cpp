#include "core/flows/token_credentials.hpp"

namespace keyhop::flows {

Credentials credentialsFromTokens(const TokenSet& tokens, std::int64_t now_s,
                                  std::map<std::string, std::string> connection_fields) {
  Credentials credentials;
  credentials.access_token = tokens.access_token;
  credentials.refresh_token = tokens.refresh_token;
  credentials.token_secret = tokens.token_secret;
  if (tokens.expires_in_s) credentials.expires_at = now_s + *tokens.expires_in_s;
  credentials.captured = tokens.captured;
  credentials.connection_fields = std::move(connection_fields);
  return credentials;
}

}  // namespace keyhop::flows
