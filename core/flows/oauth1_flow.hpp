#pragma once

// The three legs of OAuth 1.0a (RFC 5849 section 2): temporary credentials, the authorize URL,
// token credentials. Blocking: call from the worker pool.

#include <map>
#include <string>

#include "core/flows/flow_result.hpp"
#include "core/flows/http_client.hpp"
#include "core/flows/oauth1_signer.hpp"
#include "keyhop/provider.hpp"
#include "keyhop/provider_spec.hpp"

namespace keyhop::flows::oauth1 {

struct TemporaryCredentials {
  std::string token;
  std::string secret;  // kept server side with the state; never sent to the browser
};

// POST oauth1.request_url signed with the client (consumer) secret, oauth_callback =
// `callback_url`, and `scope` in the body when the descriptor has default scopes. The answer
// must confirm the callback (oauth_callback_confirmed=true, what makes it 1.0a).
FlowResult<TemporaryCredentials> requestToken(
    const HttpClient& http, const ProviderSpec& spec, const ClientRegistration& client,
    const std::string& callback_url, const std::map<std::string, std::string>& connection_fields);

// authorize_url with oauth_token and authorize_params.
FlowResult<std::string> authorizeUrl(const ProviderSpec& spec, const std::string& request_token,
                                     const std::map<std::string, std::string>& connection_fields);

// POST token_url signed with the temporary credentials and oauth_verifier. The answer's
// oauth_token and oauth_token_secret become access_token and token_secret; token_response
// captures apply (user_id, screen_name, ...). The parseTokenResponse hook goes first.
FlowResult<TokenSet> accessToken(const HttpClient& http, const ProviderSpec& spec,
                                 Provider& hooks, const ClientRegistration& client,
                                 const TemporaryCredentials& temporary,
                                 const std::string& verifier,
                                 const std::map<std::string, std::string>& connection_fields);

}  // namespace keyhop::flows::oauth1
