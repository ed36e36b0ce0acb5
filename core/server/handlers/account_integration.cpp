#include "core/server/handlers/account_integration.hpp"

#include "core/server/api_error.hpp"

namespace keyhop::server {

std::optional<AccountIntegration> findAccountIntegration(const ApiContext& context,
                                                         const std::string& account_id,
                                                         const std::string& name) {
  auto integration = context.store.findIntegrationByName(account_id, name);
  if (!integration) return std::nullopt;
  const auto* provider = context.providers.find(integration->info.provider);
  return AccountIntegration{std::move(*integration), provider};
}

Response integrationNotFound() {
  return keyhopError(404, "integration_not_found",
                     "no integration with this name; GET /v1/integrations lists yours");
}

Response connectionNotFound() {
  return keyhopError(404, "connection_not_found",
                     "no connection for this integration and user; GET /v1/connections lists "
                     "yours");
}

Response providerUnavailable(const store::IntegrationInfo& integration) {
  return keyhopError(409, "provider_unavailable",
                     "integration " + integration.name + " uses provider " + integration.provider +
                         ", which is not in the loaded catalog");
}

}  // namespace keyhop::server
