#pragma once

// What the browser sees at the end of an authorization that has no return URL: a small page
// that tells the opener (the app's window that opened the popup) how it went, then says so in
// text. Also the page for errors that happen before anything is known about the app.

#include <string>
#include <vector>

#include "core/server/http_message.hpp"

namespace keyhop::server {

struct ConnectResult {
  bool connected = false;
  std::string integration;  // empty when unknown
  std::string user_id;
  std::string error_code;  // when not connected
  std::string error_message;
};

// The page posts {"type":"keyhop:connect", "status":"connected"|"error", "integration",
// "user_id"[, "error", "message"]} to window.opener once per origin in `opener_origins`, each an
// explicit target origin, so only the app's own pages can read it; none: it posts nothing.
// Errors carry `Keyhop-Error`. The page runs no script but its own (CSP with a nonce).
Response connectPage(int status, const ConnectResult& result,
                     const std::vector<std::string>& opener_origins);

}  // namespace keyhop::server
