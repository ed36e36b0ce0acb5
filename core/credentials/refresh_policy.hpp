#pragma once

// When a connection's access token must be renewed, and what its credentials become when a
// token endpoint answers.

#include <cstdint>

#include "keyhop/provider.hpp"
#include "keyhop/provider_spec.hpp"

namespace keyhop::credentials {

enum class RefreshNeed {
  None,  // serve the token as it is
  Soon,  // within the descriptor's refresh margin of expiry, still valid: renew, and if that
         // fails, serve the current token
  Now,   // missing, expired, or rejected by the provider (`force`): renew or fail
};

// Whether the provider's access tokens can be renewed at all: oauth2 (refresh grant) and
// oauth2_cc (a new client-credentials token).
bool renewsTokens(const ProviderSpec& spec);

// Only providers that renew tokens (above) ever need a refresh; a token without an expiry is
// renewed only when missing or forced. `now` is unix seconds.
RefreshNeed refreshNeed(const ProviderSpec& spec, const Credentials& credentials, bool force,
                        std::int64_t now);

// The credentials after a token endpoint's answer to a refresh or client-credentials call: its
// tokens (flows::refreshTokens keeps the current refresh token when the answer has none), expiry
// from `now`, captured fields (the answer's; those it lacks kept), the connection's fields.
Credentials withTokens(const Credentials& current, const TokenSet& tokens, std::int64_t now);

}  // namespace keyhop::credentials
