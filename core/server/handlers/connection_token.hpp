#pragma once

// GET /v1/connections/{integration}/{user_id}/token: a fresh access token for apps that call
// the provider themselves. Renewed first when due (core/credentials/credentials_engine.hpp).

#include "core/server/handlers/api_context.hpp"
#include "core/server/handlers/with_account.hpp"

namespace keyhop::server {

AccountHandler getConnectionToken(const ApiContext& context);

}  // namespace keyhop::server
