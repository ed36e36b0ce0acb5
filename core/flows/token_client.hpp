#pragma once

// The three token endpoint calls of OAuth2: code exchange, refresh, client credentials. Each
// builds the request per the descriptor, sends it, and reads the answer (token_response.hpp).
// Blocking: call them from the worker pool.

#include <map>
#include <string>
#include <vector>

#include "core/flows/flow_result.hpp"
#include "core/flows/http_client.hpp"
#include "keyhop/provider.hpp"
#include "keyhop/provider_spec.hpp"

namespace keyhop::flows {

struct CodeExchange {
  std::string code;
  std::string redirect_uri;   // exactly as on the authorize URL
  std::string code_verifier;  // empty when the authorize URL carried no challenge
  // connection_fields and callback_capture values, for ${connection.x} in token_url/params.
  std::map<std::string, std::string> connection_fields;
};

// grant_type=authorization_code, code, redirect_uri, code_verifier (when set), token_params.
FlowResult<TokenSet> exchangeCode(const HttpClient& http, const ProviderSpec& spec,
                                  Provider& hooks, const ClientRegistration& client,
                                  const CodeExchange& exchange);

// grant_type=refresh_token with `current.refresh_token` to refresh_url (default token_url),
// refresh_params; templates see the connection's fields and captured credentials. An answer
// without a refresh token keeps the current one in the result (providers that do not rotate
// leave it out); compare with `current` to see a rotation. Captured fields the answer lacks keep
// their current values.
FlowResult<TokenSet> refreshTokens(const HttpClient& http, const ProviderSpec& spec,
                                   Provider& hooks, const ClientRegistration& client,
                                   const Credentials& current);

// grant_type=client_credentials, scope (the given scopes, else the descriptor's defaults),
// token_params.
FlowResult<TokenSet> fetchClientCredentials(
    const HttpClient& http, const ProviderSpec& spec, Provider& hooks,
    const ClientRegistration& client, const std::vector<std::string>& scopes,
    const std::map<std::string, std::string>& connection_fields);

}  // namespace keyhop::flows
