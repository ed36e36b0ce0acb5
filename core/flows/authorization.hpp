#pragma once

// The browser half of connecting an end user, for OAuth2 authorization code (+PKCE) and OAuth
// 1.0a three-legged: from a connect session to the provider's authorize page (begin), and from
// the provider's callback to a stored connection (complete). Everything in between lives in the
// store as a hashed, single-use, expiring state, so any keyhop instance may take the callback.
// Blocking (store, token endpoint): call from the worker pool.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/flows/http_client.hpp"
#include "core/registry/registry.hpp"
#include "core/store/store.hpp"

namespace keyhop::flows {

struct AuthorizationServices {
  const registry::Registry& providers;
  store::Store& store;
  const HttpClient& http;
  std::string
      callback_url;  // the redirect URI every integration registers: <public>/oauth/callback
  std::chrono::seconds state_ttl{600};
};

// Why a connect step stopped. `code` is stable (docs/api.md lists them), `message` tells the
// developer what happened; neither ever holds a code, token, secret or verifier.
struct ConnectError {
  int status = 400;  // for the page keyhop shows when there is no return URL to go to
  std::string code;
  std::string message;
};

struct BeginOutcome {
  std::string authorize_url;          // where to send the browser, when error is empty
  std::optional<ConnectError> error;  // the session is used up either way
};

// Consumes the connect session `session_token` (single use), checks that it is for the
// account's integration named `integration_name`, creates the state (PKCE S256 unless the
// descriptor turns it off; OAuth 1.0a fetches temporary credentials first) and builds the
// provider's authorize URL with the integration's scopes (else the descriptor's).
BeginOutcome beginAuthorization(const AuthorizationServices& services,
                                std::string_view integration_name, std::string_view session_token);

// A callback query parameter, percent-decoded; empty when absent.
using QueryLookup = std::function<std::optional<std::string>(std::string_view name)>;

struct CompleteOutcome {
  std::optional<ConnectError> error;  // empty: connected
  // Known once the state is (empty for an unknown state): what the app is told.
  std::string integration;  // its name
  std::string user_id;
  std::string connection_id;
  store::ConnectionKey connection;  // set when connected
  bool created = false;             // false: an existing connection was re-authorized
  // The session's return URL, still exactly one of the integration's allowed ones; empty:
  // show the page that posts the result to window.opener.
  std::string return_url;
  std::vector<std::string> opener_origins;  // the origins of the allowed return URLs
};

// Consumes the state (unknown, expired or used: invalid_state), then: provider error (OAuth2
// `error`, OAuth 1.0a `denied`), RFC 9207 `iss` against the descriptor's issuer, code exchange
// (or OAuth 1.0a access token) per the descriptor, callback_capture, post_connect, and the
// connection upserted with encrypted credentials. Nothing is stored unless every step passed.
CompleteOutcome completeAuthorization(const AuthorizationServices& services,
                                      const QueryLookup& query);

}  // namespace keyhop::flows
