#pragma once

// keyhop's HTTP surface, in one table a reader scans to learn it (DESIGN.md "HTTP surface").

#include "core/server/handlers/api_context.hpp"
#include "core/server/router.hpp"

namespace keyhop::server {

// What `context` refers to is owned by the caller and outlives the router.
void addApiRoutes(Router& router, const ApiContext& context);

}  // namespace keyhop::server
