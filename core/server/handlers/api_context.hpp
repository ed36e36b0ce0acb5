#pragma once

// What the account API's handlers work with. Handler factories copy the context; what it
// refers to is owned by the caller (`keyhop serve`, or a test) and outlives the router.

#include <string>

#include "core/credentials/credentials_engine.hpp"
#include "core/flows/http_client.hpp"
#include "core/registry/registry.hpp"
#include "core/server/account_auth.hpp"
#include "core/store/store.hpp"

namespace keyhop::server {

struct ApiContext {
  const registry::Registry& providers;
  store::Store& store;
  AccountAuthenticator& accounts;
  const flows::HttpClient& http;  // towards providers' token endpoints
  credentials::CredentialsEngine& credentials;
  std::string public_url;  // where browsers reach keyhop, without a trailing '/'
};

}  // namespace keyhop::server
