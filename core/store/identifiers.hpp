#pragma once

// Internal to the store. Row ids, account keys and single-use tokens, all from OpenSSL's CSPRNG,
// and the hashes under which keys and tokens are stored.

#include <string>
#include <string_view>

namespace keyhop::store {

// `prefix` + "_" + 26 lowercase Crockford base32 characters: 48 bits of milliseconds since the
// epoch, then 80 random bits (the ULID layout). Ids sort by creation time, so new rows land at
// the end of each index, and the outbox is read in order by id.
std::string newRowId(std::string_view prefix);

// `prefix` + "_" + 43 base62 characters encoding 32 random bytes: account keys ("sk", "pk"),
// connect session tokens, OAuth states. Base62 survives URLs and double-click selection, and the
// prefix lets secret scanners recognise a leaked key.
std::string newSecretToken(std::string_view prefix);

// Lowercase hex SHA-256: what the store keeps of a secret key or token.
std::string sha256Hex(std::string_view text);
// The same into `hex`, whose buffer is reused.
void sha256Hex(std::string_view text, std::string& hex);

// Compares two equal-length hashes in constant time (CRYPTO_memcmp).
bool sameHash(std::string_view a, std::string_view b);

}  // namespace keyhop::store
