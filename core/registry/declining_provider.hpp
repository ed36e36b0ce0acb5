#pragma once

#include <memory>

#include "keyhop/provider.hpp"

namespace keyhop::registry {

// The hooks of a provider that has no code of its own (a descriptor file, or a plugin provider
// defined without hooks): every hook declines, so the core does the generic thing. Shared and
// stateless; it lives in the core, so it needs no plugin library kept loaded.
std::shared_ptr<Provider> decliningProvider();

}  // namespace keyhop::registry
