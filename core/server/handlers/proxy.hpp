#pragma once

// ANY /proxy/{integration}/{path...}: the stamping proxy. The account's secret key and
// `Keyhop-User-Id` name the connection; keyhop sends the request to the provider's API with
// the connection's credential on it and passes the provider's answer back unchanged.
// docs/proxy.md has the rules.

#include "core/server/handlers/api_context.hpp"
#include "core/server/router.hpp"

namespace keyhop::server {

// Runs on the connection's reactor thread, which needs an UpstreamService
// (upstream_service.hpp) as its reactor service. When the account, the integration and fresh
// credentials are all cached, the request leaves at once; otherwise the lookups (and a refresh
// that is due) run on a worker first.
StreamHandler proxyRequest(const ApiContext& context);

}  // namespace keyhop::server
