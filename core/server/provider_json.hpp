#pragma once

// The catalog as JSON, shared by GET /v1/providers and `keyhop providers list --json`. A
// descriptor holds no secret, so the detail view shows every field.

#include <string>
#include <vector>

#include "core/registry/registry.hpp"

namespace keyhop::server {

std::string authModeName(AuthMode mode);

// {"providers":[{"id","name","auth","docs","source"}...]}
std::string providerListJson(const std::vector<const registry::ProviderEntry*>& providers);

// Every descriptor field of one provider, keyed as in the descriptor.
std::string providerDetailJson(const registry::ProviderEntry& provider);

}  // namespace keyhop::server
