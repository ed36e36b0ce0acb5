#pragma once

// Why a connection's credentials could not be had, as keyhop's own error (with Keyhop-Error):
// the same answer from the token route and the proxy.

#include "core/credentials/fresh_result.hpp"
#include "core/server/http_message.hpp"

namespace keyhop::server {

// 404 connection_not_found, 409 provider_unavailable or needs_reauth, 502 invalid_client or
// refresh_rejected, 503 refresh_unavailable.
Response credentialsFailure(const credentials::Failure& failure);

}  // namespace keyhop::server
