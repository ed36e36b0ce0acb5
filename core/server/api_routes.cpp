#include "core/server/api_routes.hpp"

#include <memory>

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

void addApiRoutes(Router& router, const registry::Registry& providers) {
  router
      .add("GET", "/healthz",
           [](const Request&) { return Response::json(200, R"({"status":"ok"})"); },
           RunOn::Reactor)
      .add("GET", "/v1/providers", providerList(providers), RunOn::Reactor)
      .add("GET", "/v1/providers/{id}", providerDetail(providers), RunOn::Reactor);
}

}  // namespace keyhop::server
