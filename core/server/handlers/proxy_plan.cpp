#include "core/server/handlers/proxy_plan.hpp"

#include <algorithm>

#include "core/flows/stamp.hpp"
#include "core/flows/url_encoding.hpp"
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

namespace {

proxy::UpstreamRequest planRequest(const ProxyPlan& plan) {
  proxy::UpstreamRequest request;
  request.method = plan.method;
  request.target = plan.target.target;
  request.host_header = plan.target.origin->host_header;
  request.headers = &plan.headers;
  request.body = plan.body;
  request.body_follows = plan.body_stream != nullptr;
  if (plan.body_stream) request.body_length = plan.body_stream->length();
  return request;
}

// A plugin's hook may change anything, so it is given a whole copy of the request.
std::optional<Response> stampWithHook(
    const credentials::ConnectionSnapshot& connection, const ProxyPlan& plan,
    const std::function<void(const proxy::UpstreamRequest&)>& send) {
  const ProviderSpec& spec = connection.provider->spec;
  const std::string& origin = plan.target.origin->url;
  flows::PreparedRequest prepared{plan.method, origin + plan.target.target, plan.headers,
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
  proxy::UpstreamRequest request = planRequest(plan);
  request.method = prepared.method;
  request.target = std::string_view(prepared.url).substr(origin.size());
  request.headers = &prepared.headers;
  request.body = prepared.body;
  send(request);
  return std::nullopt;
}

}  // namespace

std::optional<Response> stampPlan(const credentials::ConnectionSnapshot& connection,
                                  const ProxyPlan& plan,
                                  const std::function<void(const proxy::UpstreamRequest&)>& send) {
  if (flows::stampsWithHook(*connection.provider->hooks)) {
    return stampWithHook(connection, plan, send);
  }
  // The descriptor's stamp only adds: the caller's headers are sent from the plan, uncopied.
  flows::StampEdits edits;
  const flows::StampInput input{plan.method, plan.target.origin->url, plan.target.target,
                                plan.headers, plan.body};
  if (auto problem = flows::descriptorStamp(connection.provider->spec, connection.client,
                                            connection.credentials, input, edits)) {
    return keyhopError(409, "cannot_stamp", *problem);
  }
  proxy::UpstreamRequest request = planRequest(plan);
  request.stamped = &edits.headers;
  std::string stamped_target;
  if (edits.query) {
    stamped_target = flows::appendQuery(plan.target.target, {*std::move(edits.query)});
    request.target = stamped_target;
  }
  send(request);
  return std::nullopt;
}

bool isAuthFailure(const ProviderSpec& spec, int status) {
  const auto& statuses = spec.api.auth_failure_status;
  return std::find(statuses.begin(), statuses.end(), status) != statuses.end();
}

}  // namespace keyhop::server
