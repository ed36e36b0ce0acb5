#include "core/server/api_routes.hpp"

#include <memory>

#include "core/server/handlers/authorization.hpp"
#include "core/server/handlers/connect_sessions.hpp"
#include "core/server/handlers/connection_token.hpp"
#include "core/server/handlers/connections.hpp"
#include "core/server/handlers/integrations.hpp"
#include "core/server/handlers/proxy.hpp"
#include "core/server/handlers/with_account.hpp"
#include "core/server/provider_json.hpp"

namespace keyhop::server {
namespace {

// The catalog does not change while keyhop serves, so its JSON is rendered once.
SyncHandler providerList(const registry::Registry& providers) {
  auto body = std::make_shared<const std::string>(providerListJson(providers.all()));
  return [body](const Request&) { return Response::json(200, *body); };
}

SyncHandler providerDetail(const registry::Registry& providers) {
  auto bodies = std::make_shared<std::map<std::string, std::string>>();
  for (const auto* provider : providers.all()) {
    bodies->emplace(provider->spec.id, providerDetailJson(*provider));
  }
  return [bodies](const Request& request) {
    const auto it = bodies->find(request.params.at("id"));
    if (it == bodies->end()) {
      return Response::error(404, "provider_not_found",
                             "no provider with this id; GET /v1/providers lists them");
    }
    return Response::json(200, it->second);
  };
}

}  // namespace

// Routes wrapped in withAccount take the account's secret key (`Authorization: Bearer sk_...`);
// they touch the store, so they run on workers.
void addApiRoutes(Router& router, const ApiContext& context) {
  AccountAuthenticator& key = context.accounts;
  router
      .add(
          "GET", "/healthz",
          [](const Request&) { return Response::json(200, R"({"status":"ok"})"); }, RunOn::Reactor)
      .add("GET", "/v1/providers", providerList(context.providers), RunOn::Reactor)
      .add("GET", "/v1/providers/{id}", providerDetail(context.providers), RunOn::Reactor)

      .add("POST", "/v1/integrations", withAccount(key, createIntegration(context)))
      .add("GET", "/v1/integrations", withAccount(key, listIntegrations(context)))
      .add("GET", "/v1/integrations/{name}", withAccount(key, getIntegration(context)))

      .add("POST", "/v1/connect-sessions", withAccount(key, createConnectSession(context)))
      .add("GET", "/connect/{integration}", startAuthorization(context))
      .add("GET", "/oauth/callback", finishAuthorization(context))

      .add("POST", "/v1/connections", withAccount(key, createConnection(context)))
      .add("GET", "/v1/connections", withAccount(key, listConnections(context)))
      .add("GET", "/v1/connections/{integration}/{user_id}",
           withAccount(key, getConnection(context)))
      .add("DELETE", "/v1/connections/{integration}/{user_id}",
           withAccount(key, deleteConnection(context)))
      .add("GET", "/v1/connections/{integration}/{user_id}/token",
           withAccount(key, getConnectionToken(context)))

      .add("*", "/proxy/{integration}/{path...}", proxyRequest(context), BodyMode::Streamed);
}

}  // namespace keyhop::server
