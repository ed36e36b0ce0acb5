#pragma once

// /v1/connections: an account's end-user connections. Key-based connections (api_key, basic)
// and client-credentials ones are created here directly; OAuth ones come from the connect
// flow. No response ever holds a credential.

#include "core/server/handlers/api_context.hpp"
#include "core/server/handlers/with_account.hpp"

namespace keyhop::server {

AccountHandler createConnection(const ApiContext& context);  // POST /v1/connections
AccountHandler listConnections(const ApiContext& context);   // GET /v1/connections
// GET /v1/connections/{integration}/{user_id}
AccountHandler getConnection(const ApiContext& context);
// DELETE /v1/connections/{integration}/{user_id}
AccountHandler deleteConnection(const ApiContext& context);

}  // namespace keyhop::server
