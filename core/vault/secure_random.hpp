#pragma once

// Internal to the vault. Bytes for keys and nonces from OpenSSL's CSPRNG.

#include <cstddef>

namespace keyhop::vault {

// Fills `out` with `size` random bytes. Throws std::runtime_error if OpenSSL cannot: a nonce
// or key must never be made from anything weaker.
void fillRandom(unsigned char* out, std::size_t size);

}  // namespace keyhop::vault
