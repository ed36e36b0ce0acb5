#include "core/server/handlers/connect_sessions.hpp"

#include <Poco/URI.h>

#include <algorithm>
#include <ctime>

#include "core/server/api_error.hpp"
#include "core/server/handlers/account_integration.hpp"
#include "core/server/handlers/connection_fields.hpp"
#include "core/server/handlers/json_input.hpp"
#include "core/server/handlers/user_id.hpp"

namespace keyhop::server {
namespace {

constexpr std::int64_t kDefaultTtlSeconds = 600;
constexpr std::int64_t kMinTtlSeconds = 60;
constexpr std::int64_t kMaxTtlSeconds = 3600;

// Sessions start a browser authorization; key-based and client-credentials connections are
// created directly with POST /v1/connections.
bool authorizesInBrowser(AuthMode mode) {
  return mode == AuthMode::OAuth2 || mode == AuthMode::OAuth1;
}

std::string encoded(const std::string& text) {
  std::string out;
  Poco::URI::encode(text, "!#$&'()*+,/:;=?@[]", out);
  return out;
}

}  // namespace

AccountHandler createConnectSession(const ApiContext& context) {
  return [context](const Request& request, const store::Account& account) {
    JsonInput input(request.body);
    input.rejectUnknown({"integration", "user_id", "return_url", "connection_fields", "ttl_s"});
    const auto integration_name = input.requiredText("integration", {64});
    const auto user_id = input.requiredText("user_id", kUserIdRule);
    const auto return_url = input.text("return_url", {2048});
    const auto fields = input.textMap("connection_fields");
    const auto ttl = input.integer("ttl_s", kMinTtlSeconds, kMaxTtlSeconds);
    if (!input.ok()) return input.errorResponse();

    const auto found = findAccountIntegration(context, account.id, *integration_name);
    if (!found) return integrationNotFound();
    const store::IntegrationInfo& info = found->integration.info;
    if (!found->provider) return providerUnavailable(info);
    const ProviderSpec& spec = found->provider->spec;
    if (!authorizesInBrowser(spec.auth)) {
      return keyhopError(400, "unsupported_auth",
                         "provider " + spec.id +
                             " needs no browser authorization; create the connection with POST "
                             "/v1/connections");
    }
    if (return_url && std::find(info.allowed_return_urls.begin(), info.allowed_return_urls.end(),
                                *return_url) == info.allowed_return_urls.end()) {
      return keyhopError(400, "return_url_not_allowed",
                         "return_url must equal one of the integration's allowed_return_urls");
    }
    auto resolved =
        resolveConnectionFields(spec, fields.value_or(std::map<std::string, std::string>{}), input);
    if (!input.ok()) return input.errorResponse();

    store::ConnectSession session;
    session.account_id = account.id;
    session.integration_id = info.id;
    session.user_id = *user_id;
    session.return_url = return_url.value_or("");
    session.connection_fields = std::move(resolved);
    session.expires_at =
        static_cast<std::int64_t>(std::time(nullptr)) + ttl.value_or(kDefaultTtlSeconds);
    const auto token = context.store.createConnectSession(session);
    if (!token) return integrationNotFound();  // deleted meanwhile

    const std::string connect_url =
        context.public_url + "/connect/" + encoded(info.name) + "?session=" + encoded(*token.value);
    return Response::json(201, "{\"token\":" + jsonString(*token.value) +
                                   ",\"expires_at\":" + std::to_string(session.expires_at) +
                                   ",\"connect_url\":" + jsonString(connect_url) + "}");
  };
}

}  // namespace keyhop::server
