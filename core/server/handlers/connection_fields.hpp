#pragma once

// Connection fields an account supplies (a subdomain, a region) against the provider's
// `connection_fields`: strict, because they end up in URLs keyhop calls.

#include <map>
#include <string>

#include "core/server/handlers/json_input.hpp"
#include "keyhop/provider_spec.hpp"

namespace keyhop::server {

// Every given name must be one of the provider's fields and every value must match its
// pattern; a field not given takes its default, and one without a default is missing.
// Problems go to `input` as "connection_fields.<name>". Returns the complete set.
std::map<std::string, std::string> resolveConnectionFields(
    const ProviderSpec& spec, const std::map<std::string, std::string>& given, JsonInput& input);

}  // namespace keyhop::server
