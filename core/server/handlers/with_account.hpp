#pragma once

// Routes that act for an account: the secret key is checked before the handler runs.

#include <functional>

#include "core/server/account_auth.hpp"
#include "core/server/router.hpp"
#include "core/store/records.hpp"

namespace keyhop::server {

using AccountHandler = std::function<Response(const Request&, const store::Account&)>;

// Runs `handler` for the account whose secret key the request carries; 401
// `invalid_secret_key` otherwise. May query the store: for RunOn::Worker routes. `accounts` is
// owned by the caller and outlives the router.
SyncHandler withAccount(AccountAuthenticator& accounts, AccountHandler handler);

}  // namespace keyhop::server
