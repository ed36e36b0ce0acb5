#pragma once

// PKCE, S256 only (RFC 7636): "plain" protects nothing that TLS does not already.

#include <string>
#include <string_view>

namespace keyhop::flows {

struct Pkce {
  std::string verifier;   // 43 base64url characters from 32 random bytes; kept with the state
  std::string challenge;  // base64url(SHA-256(verifier)), sent on the authorize URL
};

Pkce makePkce();

std::string pkceChallenge(std::string_view verifier);

}  // namespace keyhop::flows
