#pragma once

// Internal to the vault. Strict base64: decoding accepts exactly one spelling per byte string
// (no whitespace, no stray padding, unused bits zero), so a sealed value or a key has a single
// text form and any other text is refused rather than silently repaired.

#include <optional>
#include <string>
#include <string_view>

namespace keyhop::vault {

// Standard alphabet with '=' padding (RFC 4648 section 4): key files and KEYHOP_MASTER_KEYS.
std::string encodeBase64(std::string_view bytes);
std::optional<std::string> decodeBase64(std::string_view text);

// URL-safe alphabet without padding (RFC 4648 section 5): sealed values.
std::string encodeBase64Url(std::string_view bytes);
std::optional<std::string> decodeBase64Url(std::string_view text);

}  // namespace keyhop::vault
