#pragma once

// Puts a connection's credential on a request to the provider's API, as the descriptor says:
// the plugin's stampRequest hook first; for auth: oauth1 an RFC 5849 signature with the token
// credentials; otherwise api.headers, then api.stamp (a header or a query parameter, its format
// filled with the credential placeholders). post_connect uses it now; the proxy's stamping
// follows the same rules.

#include <optional>
#include <string>

#include "core/flows/prepared_request.hpp"
#include "keyhop/provider.hpp"
#include "keyhop/provider_spec.hpp"

namespace keyhop::flows {

// Empty on success; otherwise why the request cannot be stamped (naming fields, not values).
std::optional<std::string> stampRequest(const ProviderSpec& spec, Provider& hooks,
                                        const ClientRegistration& client,
                                        const Credentials& credentials, PreparedRequest& request);

}  // namespace keyhop::flows
