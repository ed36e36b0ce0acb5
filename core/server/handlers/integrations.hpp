#pragma once

// /v1/integrations: an account registers its OAuth app (or its use of a key-based provider)
// per provider. The client secret is write-only: no response ever holds it.

#include "core/server/handlers/api_context.hpp"
#include "core/server/handlers/with_account.hpp"

namespace keyhop::server {

AccountHandler createIntegration(const ApiContext& context);  // POST /v1/integrations
AccountHandler listIntegrations(const ApiContext& context);   // GET /v1/integrations
AccountHandler getIntegration(const ApiContext& context);     // GET /v1/integrations/{name}

}  // namespace keyhop::server
