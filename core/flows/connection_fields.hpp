#pragma once

// Connection fields (a subdomain, a region) end up in URLs keyhop calls, so every value is
// checked against its descriptor field wherever one enters: when a session or connection is
// created, and again when an authorization starts (the catalog may have changed meanwhile).

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "keyhop/provider_spec.hpp"

namespace keyhop::flows {

// What is wrong with `value` for `field` ("must match ^...$"), or empty when it fits. Never
// quotes the value.
std::optional<std::string> connectionFieldProblem(const ConnectionField& field,
                                                  std::string_view value);

// The first problem of a complete set of fields for `spec`: a field the provider does not have,
// one it needs and lacks, or a value that does not fit. Names the field, never the value.
std::optional<std::string> connectionFieldsProblem(
    const ProviderSpec& spec, const std::map<std::string, std::string>& fields);

}  // namespace keyhop::flows
