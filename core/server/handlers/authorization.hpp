#pragma once

// The two browser routes of an authorization (core/flows/authorization.hpp does the work):
// GET /connect/{integration}?session=... and GET /oauth/callback. No secret key: the session
// and the state are the capabilities.

#include "core/server/handlers/api_context.hpp"
#include "core/server/router.hpp"

namespace keyhop::server {

// 302 to the provider's authorize page, or keyhop's error page.
SyncHandler startAuthorization(const ApiContext& context);

// 302 to the session's return URL with status=connected|error (and error, error_description),
// integration and user_id added to its query; without one, the page of connect_page.hpp.
SyncHandler finishAuthorization(const ApiContext& context);

}  // namespace keyhop::server
