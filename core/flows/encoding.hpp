#pragma once

// The byte-level primitives the flows need: base64 for Basic credentials and OAuth 1.0a
// signatures, base64url and SHA-256 for PKCE, HMAC for OAuth 1.0a, and CSPRNG bytes.

#include <cstddef>
#include <string>
#include <string_view>

namespace keyhop::flows {

// RFC 4648 section 4, with padding, on one line.
std::string base64(std::string_view bytes);

// RFC 4648 section 5, without padding (RFC 7636 appendix A).
std::string base64Url(std::string_view bytes);

std::string sha256(std::string_view bytes);

enum class HmacDigest { Sha1, Sha256 };
std::string hmac(HmacDigest digest, std::string_view key, std::string_view data);

// `size` bytes from OpenSSL's CSPRNG. Throws std::runtime_error when it cannot give them:
// a verifier or nonce is never made from anything weaker.
std::string randomBytes(std::size_t size);

}  // namespace keyhop::flows
