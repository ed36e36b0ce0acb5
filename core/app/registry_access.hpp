#pragma once

#include <ostream>

#include "core/app/config.hpp"
#include "core/registry/registry.hpp"

namespace keyhop::app {

// The configured catalog; each provider that could not be loaded is reported to `warnings`.
registry::Registry loadRegistry(const Config& config, std::ostream& warnings);

}  // namespace keyhop::app
