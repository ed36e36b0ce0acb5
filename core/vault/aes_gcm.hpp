#pragma once

// Internal to the vault, exposed so a known-answer test can check it: AES-256-GCM with a
// 96-bit nonce, a 128-bit tag and associated data, on OpenSSL's EVP AEAD calls (Poco 1.11's
// CipherKey has no associated data).

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace keyhop::vault {

inline constexpr std::size_t kAesKeySize = 32;
inline constexpr std::size_t kGcmNonceSize = 12;
inline constexpr std::size_t kGcmTagSize = 16;

using AesKey = std::array<unsigned char, kAesKeySize>;
using GcmNonce = std::array<unsigned char, kGcmNonceSize>;

// Returns ciphertext || tag. A nonce must never be used twice with one key. Throws
// std::runtime_error only when OpenSSL itself fails.
std::string aesGcmSeal(const AesKey& key, const GcmNonce& nonce, std::string_view plaintext,
                       std::string_view associated_data);

// `sealed` is ciphertext || tag. nullopt when the tag does not verify (wrong key, changed bytes,
// other associated data) or `sealed` is shorter than a tag; no byte of plaintext escapes then.
std::optional<std::string> aesGcmOpen(const AesKey& key, const GcmNonce& nonce,
                                      std::string_view sealed, std::string_view associated_data);

}  // namespace keyhop::vault
