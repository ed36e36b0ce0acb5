#pragma once

// Builds token endpoint requests as the descriptor says (RFC 6749 4.1.3, 6, 4.4; 2.3.1).

#include <map>
#include <string>

#include "core/flows/flow_result.hpp"
#include "core/flows/prepared_request.hpp"
#include "core/flows/templates.hpp"
#include "core/flows/url_encoding.hpp"
#include "keyhop/provider.hpp"
#include "keyhop/provider_spec.hpp"

namespace keyhop::flows {

// A POST to `url_template` (filled with `values`) carrying `grant` (grant_type and its fields),
// then `extra` (token_params or refresh_params, values filled with `values`), with the client
// authenticated per spec.token_request.auth — client_secret_basic form-encodes id and secret
// before base64 (RFC 6749 2.3.1), client_secret_post puts them in the body (a public client,
// with an empty secret, sends only its id) — and the body encoded per spec.token_request.body.
// Always `Accept: application/json`: some providers answer form-encoded otherwise (GitHub).
FlowResult<PreparedRequest> buildTokenRequest(const ProviderSpec& spec,
                                              const ClientRegistration& client,
                                              const std::string& url_template,
                                              std::string_view url_field, Params grant,
                                              const std::map<std::string, std::string>& extra,
                                              std::string_view extra_field,
                                              const TemplateValues& values);

}  // namespace keyhop::flows
