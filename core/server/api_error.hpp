#pragma once

// Errors keyhop raises itself on its API and proxy routes: JSON
// {"error":{"code","message"[,"fields"]}} plus a `Keyhop-Error: <code>` header, so a client can
// never confuse one with a provider's own answer passed through the proxy.

#include <map>
#include <string>
#include <string_view>

#include "core/server/http_message.hpp"

namespace keyhop::server {

// `message` and `fields` are shown to the client: never put a secret or a submitted value in
// them. `fields` maps a request field ("client_id", "connection_fields.subdomain") to what is
// wrong with it.
Response keyhopError(int status, std::string_view code, std::string_view message,
                     const std::map<std::string, std::string>& fields = {});

}  // namespace keyhop::server
