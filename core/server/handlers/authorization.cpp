#include "core/server/handlers/authorization.hpp"

#include <Poco/Logger.h>

#include "core/flows/authorization.hpp"
#include "core/flows/url_encoding.hpp"
#include "core/server/connect_page.hpp"

namespace keyhop::server {
namespace {

flows::AuthorizationServices servicesOf(const ApiContext& context) {
  return {context.providers, context.store, context.http, context.public_url + "/oauth/callback"};
}

Response redirect(const std::string& location) {
  Response response;
  response.status = 302;
  response.setHeader("Location", location);
  response.setHeader("Cache-Control", "no-store");
  // The authorize URL and the callback carry the state and the code: no Referer with them.
  response.setHeader("Referrer-Policy", "no-referrer");
  return response;
}

// The query of a return URL is the app's: keyhop's parameters are added after it.
std::string withResult(const std::string& return_url, const flows::CompleteOutcome& outcome) {
  flows::Params params;
  if (outcome.error) {
    params = {{"status", "error"},
              {"error", outcome.error->code},
              {"error_description", outcome.error->message}};
  } else {
    params = {{"status", "connected"}};
  }
  params.emplace_back("integration", outcome.integration);
  params.emplace_back("user_id", outcome.user_id);
  return flows::appendQuery(return_url, params);
}

}  // namespace

SyncHandler startAuthorization(const ApiContext& context) {
  return [context](const Request& request) {
    auto& log = Poco::Logger::get("keyhop.api");
    const auto session = request.queryParam("session");
    const auto outcome = flows::beginAuthorization(
        servicesOf(context), request.params.at("integration"), session.value_or(""));
    if (outcome.error) {
      log.warning("connect " + request.params.at("integration") +
                  " refused: " + outcome.error->code + ": " + outcome.error->message);
      return connectPage(outcome.error->status,
                         {false, "", "", outcome.error->code, outcome.error->message}, {});
    }
    return redirect(outcome.authorize_url);
  };
}

SyncHandler finishAuthorization(const ApiContext& context) {
  return [context](const Request& request) {
    auto& log = Poco::Logger::get("keyhop.api");
    const auto outcome = flows::completeAuthorization(
        servicesOf(context),
        [&request](std::string_view name) { return request.queryParam(name); });
    const std::string who = outcome.integration.empty() ? std::string("an unknown authorization")
                                                        : "integration " + outcome.integration +
                                                              ", user " + outcome.user_id;
    if (outcome.error) {
      log.warning("callback for " + who + " failed: " + outcome.error->code + ": " +
                  outcome.error->message);
    } else {
      // A re-authorized connection's new credentials replace any cached ones at once.
      context.credentials.invalidate(outcome.connection);
      log.information(std::string(outcome.created ? "connected " : "re-authorized ") + who + " (" +
                      outcome.connection_id + ")");
    }
    if (!outcome.return_url.empty()) return redirect(withResult(outcome.return_url, outcome));
    ConnectResult result{!outcome.error, outcome.integration, outcome.user_id, "", ""};
    if (outcome.error) {
      result.error_code = outcome.error->code;
      result.error_message = outcome.error->message;
    }
    return connectPage(outcome.error ? outcome.error->status : 200, result, outcome.opener_origins);
  };
}

}  // namespace keyhop::server
