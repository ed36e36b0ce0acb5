#pragma once

// Puts a connection's credential on a request to the provider's API, as the descriptor says:
// the plugin's stampRequest hook first; for auth: oauth1 an RFC 5849 signature with the token
// credentials; otherwise api.headers, then api.stamp (a header or a query parameter, its format
// filled with the credential placeholders). post_connect and the proxy follow the same rules.

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/flows/prepared_request.hpp"
#include "keyhop/provider.hpp"
#include "keyhop/provider_spec.hpp"

namespace keyhop::flows {

// Empty on success; otherwise why the request cannot be stamped (naming fields, not values).
std::optional<std::string> stampRequest(const ProviderSpec& spec, Provider& hooks,
                                        const ClientRegistration& client,
                                        const Credentials& credentials, PreparedRequest& request);

// What the descriptor's own stamp (no hook) puts on a request: headers that replace any the
// request has of the same names, and for api.stamp.query one query parameter (not encoded yet).
// Kept apart from the request so the proxy can stamp without copying the caller's headers.
struct StampEdits {
  HeaderList headers;
  std::optional<std::pair<std::string, std::string>> query;
};

// A request to stamp, viewed. Its URL is `url_base` + `url_rest` (the proxy keeps the origin
// apart from the request target); only an OAuth 1.0a signature needs them joined.
struct StampInput {
  std::string_view method;
  std::string_view url_base;
  std::string_view url_rest;
  const HeaderList& headers;
  std::string_view body;
};

// The edits of the descriptor's stamp (api.headers, then the oauth1 signature or api.stamp).
// Empty on success; otherwise why, as stampRequest.
std::optional<std::string> descriptorStamp(const ProviderSpec& spec,
                                           const ClientRegistration& client,
                                           const Credentials& credentials,
                                           const StampInput& request, StampEdits& edits);

// Whether `hooks` may stamp requests itself (a plugin's), so only a whole request will do.
bool stampsWithHook(const Provider& hooks);

}  // namespace keyhop::flows
