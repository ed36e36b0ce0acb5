#pragma once

// post_connect: one call after the exchange whose JSON answer fills connection fields
// (Mailchimp's data centre). Blocking: call from the worker pool.

#include <map>
#include <string>

#include "core/flows/flow_result.hpp"
#include "core/flows/http_client.hpp"
#include "keyhop/provider.hpp"
#include "keyhop/provider_spec.hpp"

namespace keyhop::flows {

// Calls spec.post_connect (its URL filled from `credentials`' connection fields and captures),
// stamped as an API call, and returns connection field name -> value for each capture path.
// No post_connect in the spec: an empty map. A capture the answer lacks is InvalidResponse; a
// 401/403 is InvalidGrant (the fresh token is refused); other statuses as token answers.
FlowResult<std::map<std::string, std::string>> runPostConnect(const HttpClient& http,
                                                              const ProviderSpec& spec,
                                                              Provider& hooks,
                                                              const ClientRegistration& client,
                                                              const Credentials& credentials);

}  // namespace keyhop::flows
