#pragma once

// An account's integration by name, with its provider: what connect sessions and connections
// start from. Another account's integration is never found.

#include <optional>
#include <string>

#include "core/server/handlers/api_context.hpp"
#include "core/server/http_message.hpp"

namespace keyhop::server {

struct AccountIntegration {
  store::Integration integration;
  const registry::ProviderEntry* provider = nullptr;  // owned by the registry; null if unloaded
};

std::optional<AccountIntegration> findAccountIntegration(const ApiContext& context,
                                                         const std::string& account_id,
                                                         const std::string& name);

// 404 `integration_not_found`.
Response integrationNotFound();
// 404 `connection_not_found`.
Response connectionNotFound();
// 409 `provider_unavailable`: the integration's provider is not in the loaded catalog.
Response providerUnavailable(const store::IntegrationInfo& integration);

}  // namespace keyhop::server
