#pragma once

// POST /v1/connect-sessions: the account's backend mints a short-lived, single-use session so
// its frontend can send one end user through an authorization (GET /connect/{integration}).

#include "core/server/handlers/api_context.hpp"
#include "core/server/handlers/with_account.hpp"

namespace keyhop::server {

AccountHandler createConnectSession(const ApiContext& context);

}  // namespace keyhop::server
