#include "core/server/handlers/connections.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/Logger.h>

#include <sstream>

#include "core/flows/post_connect.hpp"
#include "core/server/api_error.hpp"
#include "core/server/handlers/account_integration.hpp"
#include "core/server/handlers/connection_fields.hpp"
#include "core/server/handlers/json_input.hpp"
#include "core/server/handlers/user_id.hpp"
#include "core/server/provider_json.hpp"

namespace keyhop::server {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

std::string render(const Object::Ptr& object) {
  std::ostringstream out;
  object->stringify(out);
  return out.str();
}

Object::Ptr connectionObject(const store::ConnectionInfo& info, const std::string& integration_name,
                             const std::string& provider, const Credentials* credentials) {
  Object::Ptr object = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  object->set("id", info.id);
  object->set("integration", integration_name);
  object->set("provider", provider);
  object->set("user_id", info.key.user_id);
  object->set("status", std::string(store::toString(info.status)));
  if (!info.status_reason.empty()) object->set("status_reason", info.status_reason);
  Object::Ptr fields = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  for (const auto& [name, value] : info.connection_fields) fields->set(name, value);
  object->set("connection_fields", fields);
  if (credentials && credentials->expires_at) object->set("expires_at", *credentials->expires_at);
  object->set("created_at", info.created_at);
  object->set("updated_at", info.updated_at);
  if (info.last_refresh_at) object->set("last_refresh_at", *info.last_refresh_at);
  return object;
}

// The credential a key-based connection is created with, read from the fields its provider's
// auth mode uses. Fields of another mode are problems, so a mistaken request fails loudly.
Credentials credentialsFor(AuthMode mode, JsonInput& input) {
  Credentials credentials;
  const std::string mode_name = authModeName(mode);
  const auto notUsed = [&](const char* field) {
    if (input.has(field)) input.fail(field, "is not used by " + mode_name + " providers");
  };
  switch (mode) {
    case AuthMode::ApiKey:
      credentials.api_key = input.requiredText("api_key").value_or("");
      notUsed("username");
      notUsed("password");
      break;
    case AuthMode::Basic: {
      credentials.username = input.requiredText("username", {1024}).value_or("");
      // Some providers take a key as the user name and an empty password.
      credentials.password = input.requiredText("password", {4096, true}).value_or("");
      if (credentials.username.find(':') != std::string::npos) {
        input.fail("username", "must not contain ':' (RFC 7617)");
      }
      notUsed("api_key");
      break;
    }
    default:  // oauth2_cc: the token is fetched with the integration's client registration
      notUsed("api_key");
      notUsed("username");
      notUsed("password");
  }
  return credentials;
}

bool createdDirectly(AuthMode mode) {
  return mode == AuthMode::ApiKey || mode == AuthMode::Basic ||
         mode == AuthMode::OAuth2ClientCredentials;
}

// post_connect ran with the credential just given: a 401/403 means the provider refuses it.
Response postConnectFailed(const flows::FlowFailure& failure) {
  switch (failure.kind) {
    case flows::FailureKind::InvalidGrant:
      return keyhopError(400, "credential_rejected",
                         "the provider refused the credential: " + failure.message);
    case flows::FailureKind::Transient:
      return keyhopError(503, "provider_temporarily_unavailable",
                         failure.message + "; try again later");
    case flows::FailureKind::InvalidInput:
      return keyhopError(400, "invalid_connection_fields", failure.message);
    default:
      return keyhopError(502, "post_connect_failed", failure.message);
  }
}

}  // namespace

AccountHandler createConnection(const ApiContext& context) {
  return [context](const Request& request, const store::Account& account) {
    JsonInput input(request.body);
    input.rejectUnknown(
        {"integration", "user_id", "api_key", "username", "password", "connection_fields"});
    const auto integration_name = input.requiredText("integration", {64});
    const auto user_id = input.requiredText("user_id", kUserIdRule);
    const auto fields = input.textMap("connection_fields");
    if (!input.ok()) return input.errorResponse();

    const auto found = findAccountIntegration(context, account.id, *integration_name);
    if (!found) return integrationNotFound();
    const store::IntegrationInfo& info = found->integration.info;
    if (!found->provider) return providerUnavailable(info);
    const ProviderSpec& spec = found->provider->spec;
    if (!createdDirectly(spec.auth)) {
      return keyhopError(400, "unsupported_auth",
                         "provider " + spec.id + " uses " + authModeName(spec.auth) +
                             "; its connections are made by the end user through POST "
                             "/v1/connect-sessions");
    }
    store::NewConnection connection;
    connection.key = {account.id, info.id, *user_id};
    connection.credentials = credentialsFor(spec.auth, input);
    connection.credentials.connection_fields =
        resolveConnectionFields(spec, fields.value_or(std::map<std::string, std::string>{}), input);
    if (!input.ok()) return input.errorResponse();
    if (spec.auth != AuthMode::OAuth2ClientCredentials) {
      auto discovered = flows::runPostConnect(context.http, spec, *found->provider->hooks,
                                              {info.client_id, found->integration.client_secret},
                                              connection.credentials);
      if (!discovered) return postConnectFailed(discovered.failure());
      for (auto& [name, value] : discovered.value()) {
        connection.credentials.connection_fields[name] = std::move(value);
      }
    }

    const auto upserted = context.store.upsertConnection(connection);
    if (!upserted) return integrationNotFound();     // deleted meanwhile
    context.credentials.invalidate(connection.key);  // replaced credentials count at once
    Poco::Logger::get("keyhop.api")
        .information("account " + account.id +
                     (upserted.value->created ? " created" : " replaced") + " connection " +
                     upserted.value->info.id + " on integration " + info.id);
    return Response::json(upserted.value->created ? 201 : 200,
                          render(connectionObject(upserted.value->info, info.name, info.provider,
                                                  &connection.credentials)));
  };
}

AccountHandler listConnections(const ApiContext& context) {
  return [context](const Request&, const store::Account& account) {
    std::map<std::string, store::IntegrationInfo> integrations;
    for (auto& info : context.store.listIntegrations(account.id)) {
      integrations.emplace(info.id, std::move(info));
    }
    Array::Ptr list = new Array;
    for (const auto& info : context.store.listConnections(account.id)) {
      const auto it = integrations.find(info.key.integration_id);
      if (it == integrations.end()) continue;  // not the account's: never shown
      list->add(connectionObject(info, it->second.name, it->second.provider, nullptr));
    }
    Object::Ptr root = new Object;
    root->set("connections", list);
    return Response::json(200, render(root));
  };
}

AccountHandler getConnection(const ApiContext& context) {
  return [context](const Request& request, const store::Account& account) {
    const auto integration =
        context.store.findIntegrationByName(account.id, request.params.at("integration"));
    if (!integration) return connectionNotFound();
    const auto connection = context.store.findConnection(
        {account.id, integration->info.id, request.params.at("user_id")});
    if (!connection) return connectionNotFound();
    return Response::json(
        200, render(connectionObject(connection->info, integration->info.name,
                                     integration->info.provider, &connection->credentials)));
  };
}

AccountHandler deleteConnection(const ApiContext& context) {
  return [context](const Request& request, const store::Account& account) {
    const auto integration =
        context.store.findIntegrationByName(account.id, request.params.at("integration"));
    if (!integration) return connectionNotFound();
    const auto connection = context.store.findConnection(
        {account.id, integration->info.id, request.params.at("user_id")});
    if (!connection || !context.store.deleteConnection(account.id, connection->info.id)) {
      return connectionNotFound();
    }
    context.credentials.invalidate(connection->info.key);
    Poco::Logger::get("keyhop.api")
        .information("account " + account.id + " deleted connection " + connection->info.id);
    Response response;
    response.status = 204;
    return response;
  };
}

}  // namespace keyhop::server
