#include "core/server/handlers/integrations.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Logger.h>

#include <algorithm>
#include <regex>
#include <sstream>

#include "core/registry/url_check.hpp"
#include "core/server/api_error.hpp"
#include "core/server/handlers/account_integration.hpp"
#include "core/server/handlers/json_input.hpp"
#include "core/server/provider_json.hpp"

namespace keyhop::server {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

constexpr std::size_t kMaxScopes = 100;
constexpr std::size_t kMaxReturnUrls = 20;

bool needsClientRegistration(AuthMode mode) {
  return mode == AuthMode::OAuth2 || mode == AuthMode::OAuth2ClientCredentials ||
         mode == AuthMode::OAuth1;
}

// The name appears in paths (/connect/{integration}, /proxy/{integration}/...), so it is kept
// to what needs no escaping.
bool validName(const std::string& name) {
  static const std::regex kName("^[a-z0-9][a-z0-9_-]{0,63}$");
  return std::regex_match(name, kName);
}

// RFC 6749 section 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ).
bool validScope(const std::string& scope) {
  return std::all_of(scope.begin(), scope.end(),
                     [](char c) { return c >= 0x21 && c <= 0x7e && c != '"' && c != '\\'; });
}

std::string render(const Object::Ptr& object) {
  std::ostringstream out;
  object->stringify(out);
  return out.str();
}

Array::Ptr listArray(const std::vector<std::string>& values) {
  Array::Ptr array = new Array;
  for (const auto& value : values) array->add(value);
  return array;
}

Object::Ptr integrationObject(const store::IntegrationInfo& info,
                              const registry::Registry& providers) {
  Object::Ptr object = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  object->set("id", info.id);
  object->set("name", info.name);
  object->set("provider", info.provider);
  const auto* provider = providers.find(info.provider);
  object->set("auth", provider ? authModeName(provider->spec.auth) : "unavailable");
  object->set("client_id", info.client_id);
  object->set("scopes", listArray(info.scopes));
  object->set("allowed_return_urls", listArray(info.allowed_return_urls));
  object->set("settings", Poco::JSON::Parser().parse(info.settings));
  object->set("created_at", info.created_at);
  object->set("updated_at", info.updated_at);
  return object;
}

}  // namespace

AccountHandler createIntegration(const ApiContext& context) {
  return [context](const Request& request, const store::Account& account) {
    JsonInput input(request.body);
    input.rejectUnknown({"provider", "name", "client_id", "client_secret", "scopes",
                         "allowed_return_urls", "settings"});
    const auto provider_id = input.requiredText("provider", {64});
    const auto name = input.text("name", {64});
    const auto client_id = input.text("client_id");
    const auto client_secret = input.text("client_secret");
    const auto scopes = input.textList("scopes", kMaxScopes, {256});
    const auto return_urls = input.textList("allowed_return_urls", kMaxReturnUrls, {2048});
    const auto settings = input.objectText("settings");

    const registry::ProviderEntry* provider = nullptr;
    if (provider_id) {
      provider = context.providers.find(*provider_id);
      if (!provider) input.fail("provider", "is not a loaded provider (GET /v1/providers)");
    }
    if (name && !validName(*name)) {
      input.fail("name", "must match ^[a-z0-9][a-z0-9_-]{0,63}$");
    }
    if (provider && needsClientRegistration(provider->spec.auth)) {
      const std::string why = "is required for " + authModeName(provider->spec.auth) + " providers";
      if (!input.has("client_id")) input.fail("client_id", why);
      if (!input.has("client_secret")) input.fail("client_secret", why);
    }
    if (scopes) {
      for (std::size_t i = 0; i < scopes->size(); ++i) {
        if (!validScope((*scopes)[i])) {
          input.fail("scopes[" + std::to_string(i) + "]",
                     "must be a scope token (printable ASCII, no space, quote or backslash)");
        }
      }
    }
    if (return_urls) {
      for (std::size_t i = 0; i < return_urls->size(); ++i) {
        const std::string field = "allowed_return_urls[" + std::to_string(i) + "]";
        const std::string& url = (*return_urls)[i];
        if (auto problem = registry::checkUrl(url, field)) {
          input.fail(field, problem->substr(field.size() + 1));
        } else if (url.find("${") != std::string::npos) {
          input.fail(field, "must not contain a placeholder");
        }
      }
    }
    if (!input.ok()) return input.errorResponse();

    store::NewIntegration integration;
    integration.account_id = account.id;
    integration.provider = *provider_id;
    integration.name = name.value_or(*provider_id);
    integration.client_id = client_id.value_or("");
    integration.client_secret = client_secret.value_or("");
    integration.scopes = scopes.value_or(provider->spec.scopes.defaults);
    integration.allowed_return_urls = return_urls.value_or(std::vector<std::string>{});
    integration.settings = settings.value_or("{}");
    const auto created = context.store.createIntegration(integration);
    if (!created) {
      if (created.failure == store::WriteFailure::NameTaken) {
        return keyhopError(409, "integration_exists",
                           "this account has an integration named " + integration.name +
                               " already; choose another `name`");
      }
      return invalidSecretKey();  // the account was deleted since its key was checked
    }
    Poco::Logger::get("keyhop.api")
        .information("account " + account.id + " created integration " + created.value->info.id +
                     " (" + created.value->info.name + ", provider " +
                     created.value->info.provider + ")");
    return Response::json(201, render(integrationObject(created.value->info, context.providers)));
  };
}

AccountHandler listIntegrations(const ApiContext& context) {
  return [context](const Request&, const store::Account& account) {
    Array::Ptr list = new Array;
    for (const auto& info : context.store.listIntegrations(account.id)) {
      list->add(integrationObject(info, context.providers));
    }
    Object::Ptr root = new Object;
    root->set("integrations", list);
    return Response::json(200, render(root));
  };
}

AccountHandler getIntegration(const ApiContext& context) {
  return [context](const Request& request, const store::Account& account) {
    const auto found = context.store.findIntegrationByName(account.id, request.params.at("name"));
    if (!found) return integrationNotFound();
    return Response::json(200, render(integrationObject(found->info, context.providers)));
  };
}

}  // namespace keyhop::server
