#pragma once

// What a proxied request becomes before it is sent: the provider's target (the descriptor's API
// base URL plus the caller's path and query, checked), the caller's headers minus keyhop's own,
// and the body; then, per attempt, the credential stamped on. A replay after a refresh stamps
// the same plan again with the new credential.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "core/credentials/connection_snapshot.hpp"
#include "core/proxy/upstream_pool.hpp"
#include "core/proxy/upstream_target.hpp"
#include "core/server/http_message.hpp"

namespace keyhop::server {

struct ProxyPlan {
  proxy::UpstreamTarget target;
  std::string method;
  HeaderList headers;  // the caller's, to forward
  std::string body;
  // Instead of `body`, one too large to buffer, read as it is sent: such a request goes once
  // (no replay, no retries).
  std::shared_ptr<RequestBody> body_stream;
  // Keyhop-Retries for an idempotent method with a buffered body, 0 otherwise: how many times
  // more the request may go to a provider that is busy or cannot be reached.
  int retries = 0;
};

// 400 invalid_proxy_path / invalid_connection_fields / no_api_base_url when the request cannot
// go to the provider's API; 400 invalid_retries when Keyhop-Retries is not 0 to 5 (whatever the
// method: a malformed instruction is the caller's mistake even where it would not apply).
std::variant<ProxyPlan, Response> planProxyRequest(
    const credentials::ConnectionSnapshot& connection, Request&& request);

// Stamps the plan with `connection`'s credential and hands the request to `send` (what it
// views lives during the call). A stamp (a plugin's hook included) may add query parameters,
// never change where the request goes: a 500 stamp_changed_target if it does, 409
// cannot_stamp when a value it needs is missing; `send` is not called then.
std::optional<Response> stampPlan(const credentials::ConnectionSnapshot& connection,
                                  const ProxyPlan& plan,
                                  const std::function<void(const proxy::UpstreamRequest&)>& send);

// Whether the provider's status means "this credential is refused" (api.auth_failure).
bool isAuthFailure(const ProviderSpec& spec, int status);

}  // namespace keyhop::server
