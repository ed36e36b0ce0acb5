#include "core/flows/pkce.hpp"

#include "core/flows/encoding.hpp"

namespace keyhop::flows {

Pkce makePkce() {
  Pkce pkce;
  pkce.verifier = base64Url(randomBytes(32));
  pkce.challenge = pkceChallenge(pkce.verifier);
  return pkce;
}

std::string pkceChallenge(std::string_view verifier) { return base64Url(sha256(verifier)); }

}  // namespace keyhop::flows
