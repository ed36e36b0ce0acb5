#pragma once

// The URL the end user's browser is sent to (RFC 6749 4.1.1, RFC 7636 4.3).

#include <string>

#include "core/flows/flow_result.hpp"
#include "keyhop/provider.hpp"
#include "keyhop/provider_spec.hpp"

namespace keyhop::flows {

// The plugin's buildAuthorizeUrl hook first; when it declines: spec.authorize_url filled with
// the connection fields, then response_type=code, client_id, redirect_uri, state, scope (the
// request's scopes, or the descriptor's defaults when it has none, joined by the descriptor's
// separator), code_challenge and code_challenge_method=S256 when the request carries a
// challenge (the caller sets one when spec.pkce), then authorize_params.
FlowResult<std::string> buildAuthorizeUrl(const ProviderSpec& spec, Provider& hooks,
                                          const AuthorizeRequest& request);

// The scopes to ask for: `requested`, or the descriptor's defaults when empty, joined.
std::string joinScopes(const ProviderSpec& spec, const std::vector<std::string>& requested);

}  // namespace keyhop::flows
