#include "core/server/handlers/connection_token.hpp"

#include <string>

#include "core/server/api_error.hpp"
#include "core/server/handlers/account_integration.hpp"
#include "core/server/handlers/credentials_failure.hpp"

namespace keyhop::server {
namespace {

// {"access_token", "token_type", "expires_at"}; OAuth 1.0a adds the token secret its calls are
// signed with. Never cached by anything between keyhop and the app (RFC 6749 5.1).
Response tokenResponse(AuthMode mode, const Credentials& credentials) {
  std::string body = "{\"access_token\":" + jsonString(credentials.access_token);
  if (mode == AuthMode::OAuth1) {
    body += ",\"token_secret\":" + jsonString(credentials.token_secret);
  } else {
    body += ",\"token_type\":\"bearer\"";
  }
  body += ",\"expires_at\":" +
          (credentials.expires_at ? std::to_string(*credentials.expires_at) : "null") + "}";
  Response response = Response::json(200, std::move(body));
  response.setHeader("Cache-Control", "no-store");
  return response;
}

}  // namespace

AccountHandler getConnectionToken(const ApiContext& context) {
  return [context](const Request& request, const store::Account& account) {
    const auto integration_id =
        context.credentials.integrationId(account.id, request.params.at("integration"));
    if (!integration_id) return connectionNotFound();
    const auto fresh =
        context.credentials.fresh({account.id, *integration_id, request.params.at("user_id")});
    if (!fresh) return credentialsFailure(fresh.failure());
    const AuthMode mode = fresh.snapshot().provider->spec.auth;
    if (mode == AuthMode::ApiKey || mode == AuthMode::Basic) {
      return keyhopError(409, "no_access_token",
                         "provider " + fresh.snapshot().provider->spec.id + " uses " +
                             (mode == AuthMode::ApiKey ? "an API key" : "basic auth") +
                             ": its connections hold no access token to give; call the "
                             "provider through /proxy, which stamps the credential");
    }
    return tokenResponse(mode, fresh.snapshot().credentials);
  };
}

}  // namespace keyhop::server
