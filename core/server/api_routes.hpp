#pragma once

// keyhop's HTTP surface, in one table a reader scans to learn it (DESIGN.md "HTTP surface").

#include "core/registry/registry.hpp"
#include "core/server/router.hpp"

namespace keyhop::server {

// `providers` is owned by the caller and outlives the router.
void addApiRoutes(Router& router, const registry::Registry& providers);

}  // namespace keyhop::server
