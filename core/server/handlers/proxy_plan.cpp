#include "core/server/handlers/proxy_plan.hpp"

#include <algorithm>

#include "core/flows/stamp.hpp"
#include "core/proxy/header_rules.hpp"
#include "core/proxy/retry_policy.hpp"
#include "core/server/api_error.hpp"

namespace keyhop::server {

std::variant<ProxyPlan, Response> planProxyRequest(
    const credentials::ConnectionSnapshot& connection, Request&& request) {
  int retries = 0;
  if (const std::string* value = request.header("Keyhop-Retries")) {
    const auto parsed = proxy::parseRetries(*value);
    if (!parsed) {
      return keyhopError(
          400, "invalid_retries",
          "Keyhop-Retries is a number of retries from 0 to " + std::to_string(proxy::kMaxRetries));
    }
    if (proxy::isIdempotentMethod(request.method) && !request.body_stream) retries = *parsed;
  }
  auto resolved = proxy::resolveUpstreamTarget(connection.provider->spec, connection.credentials,
                                               request.params.at("path"), request.query);
  if (const auto* error = std::get_if<proxy::TargetError>(&resolved)) {
    return keyhopError(400, error->code, error->message);
  }
  return ProxyPlan{std::get<proxy::UpstreamTarget>(std::move(resolved)),
                   std::move(request.method),
                   proxy::requestHeadersToForward(std::move(request.headers)),
                   std::move(request.body),
                   std::move(request.body_stream),
                   retries};
}

std::variant<proxy::UpstreamRequest, Response> stampPlan(
    const credentials::ConnectionSnapshot& connection, const ProxyPlan& plan) {
  const ProviderSpec& spec = connection.provider->spec;
  const std::string& origin = plan.target.origin;
  // Room for what the stamp adds, so adding it moves none of the caller's headers.
  HeaderList headers;
  headers.reserve(plan.headers.size() + 4);
  headers.insert(headers.end(), plan.headers.begin(), plan.headers.end());
  flows::PreparedRequest prepared{plan.method, origin + plan.target.target, std::move(headers),
                                  plan.body};
  if (auto problem = flows::stampRequest(spec, *connection.provider->hooks, connection.client,
                                         connection.credentials, prepared)) {
    return keyhopError(409, "cannot_stamp", *problem);
  }
  if (prepared.url.size() <= origin.size() || prepared.url.compare(0, origin.size(), origin) != 0 ||
      prepared.url[origin.size()] != '/') {
    return keyhopError(500, "stamp_changed_target",
                       "provider " + spec.id + "'s stamp hook pointed the request elsewhere");
  }
  const bool body_follows = plan.body_stream != nullptr;
  prepared.url.erase(0, origin.size());  // the request target: the origin goes in Host
  return proxy::UpstreamRequest{std::move(prepared.method),
                                std::move(prepared.url),
                                plan.target.host_header,
                                std::move(prepared.headers),
                                std::move(prepared.body),
                                body_follows,
                                body_follows ? plan.body_stream->length() : std::nullopt};
}

bool isAuthFailure(const ProviderSpec& spec, int status) {
  const auto& statuses = spec.api.auth_failure_status;
  return std::find(statuses.begin(), statuses.end(), status) != statuses.end();
}

}  // namespace keyhop::server
