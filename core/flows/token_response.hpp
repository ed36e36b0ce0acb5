#pragma once

// Reads a token endpoint's answer into a TokenSet, or a classified failure (flow_result.hpp).

#include <string>
#include <string_view>
#include <vector>

#include "core/flows/flow_result.hpp"
#include "core/flows/http_client.hpp"
#include "keyhop/provider.hpp"
#include "keyhop/provider_spec.hpp"

namespace keyhop::flows {

// 5xx and 429 are Transient before anything else. Then the plugin's parseTokenResponse hook
// (Done: its tokens; Failed: InvalidResponse with its error). Then the generic reading: JSON or
// form; an `error` field (on any status, GitHub and Slack answer errors with 200) or a 4xx is a
// provider error, classified by its code (invalid_grant, invalid_client/unauthorized_client,
// temporarily_unavailable/server_error, others); otherwise spec.token_response's paths, with a
// missing access token an InvalidResponse. `endpoint` names the call in messages ("token
// endpoint").
FlowResult<TokenSet> readTokenResponse(const ProviderSpec& spec, Provider& hooks,
                                       const HttpResponse& response, std::string_view endpoint);

// A transport failure in the flows' terms: every kind is Transient but Protocol, which is
// InvalidResponse (an answer that could not be read).
FlowFailure transportFailure(const HttpFailure& failure);

// Replaces every occurrence of each non-empty secret in `message` with "[redacted]": the last
// guard for provider text (error_description) that echoes what it was sent.
std::string redact(std::string message, const std::vector<std::string>& secrets);

}  // namespace keyhop::flows
