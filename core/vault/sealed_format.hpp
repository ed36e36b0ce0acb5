#pragma once

// Internal to the vault. The text form of a sealed value (docs/vault.md):
//   kh1.<key id>.<key check>.<base64url, no padding, of nonce || ciphertext || tag>
// Text, so it stores as TEXT in SQLite and PostgreSQL alike.

#include <optional>
#include <string>
#include <string_view>

#include "core/vault/key_ring.hpp"

namespace keyhop::vault {

inline constexpr std::string_view kSealedVersion = "kh1";

struct SealedParts {
  std::string_view key_id;
  std::string_view key_check;
  std::string_view payload;  // still base64url
};

// The parts of `sealed` when it has the shape: version kh1, a valid key id, a key check of 8
// lowercase hex digits, then anything (the payload is checked when decoded). Views into `sealed`.
std::optional<SealedParts> splitSealed(std::string_view sealed);

// The text form of a value sealed with key `key_id` (check `key_check`); `payload` is the raw
// nonce || ciphertext || tag.
std::string joinSealed(std::string_view key_id, std::string_view key_check,
                       std::string_view payload);

// The first 4 bytes of SHA-256("keyhop-key-check" || key) in lowercase hex: tells a different
// key under the same id from a tampered value, and reveals nothing usable about the key.
std::string keyCheckOf(const MasterKey& key);

}  // namespace keyhop::vault
