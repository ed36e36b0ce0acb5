#pragma once

// One proxied request on its client connection's reactor thread: sends it to the provider
// through the reactor's upstream pool and passes the answer on to the client as it arrives,
// reading from the provider only as fast as the client reads. When the provider refuses the
// credential (api.auth_failure), the answer is not passed on: the credential is refreshed once
// (on a worker) and the request replayed with it. With Keyhop-Retries (ProxyPlan::retries), a
// busy answer (429, 502, 503, 504) or an unreachable provider is not passed on either while
// retries remain: the request goes again after a wait (core/proxy/retry_policy.hpp).

#include <memory>

#include "core/credentials/credentials_engine.hpp"
#include "core/server/handlers/proxy_plan.hpp"
#include "core/server/response_stream.hpp"

namespace keyhop::server {

// Starts the exchange: stamps the plan with the connection's credential and sends it (a stamp
// that cannot be made fails the stream). The exchange keeps itself alive until the answer is
// passed on, fails, or the client leaves. `engine` outlives the server.
void startProxyExchange(ResponseStream& stream, credentials::CredentialsEngine& engine,
                        credentials::SnapshotPtr connection, ProxyPlan plan);

}  // namespace keyhop::server
