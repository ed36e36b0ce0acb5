#pragma once

// The top-level keys of a descriptor and the auth modes each applies to: the table behind
// "unknown key", "requires" and "does not apply to" errors, and the one docs/descriptors.md
// documents.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "keyhop/provider_spec.hpp"

namespace keyhop::registry {

using ModeSet = unsigned;

constexpr ModeSet modeBit(AuthMode mode) { return 1U << static_cast<unsigned>(mode); }

inline constexpr ModeSet kNoModes = 0;
inline constexpr ModeSet kAllModes =
    modeBit(AuthMode::OAuth2) | modeBit(AuthMode::OAuth2ClientCredentials) |
    modeBit(AuthMode::OAuth1) | modeBit(AuthMode::ApiKey) | modeBit(AuthMode::Basic);

struct TopLevelKey {
  std::string_view name;
  ModeSet applies;             // modes in which the key may appear
  ModeSet required;            // modes in which it must
  std::string_view hint = {};  // appended to "requires" messages
};

// In the order docs/descriptors.md lists them.
const std::vector<TopLevelKey>& topLevelKeys();
std::vector<std::string> topLevelKeyNames();

// `auth:` words, in the order messages list them.
const std::vector<std::pair<std::string_view, AuthMode>>& authModeNames();
std::string_view authModeName(AuthMode mode);

}  // namespace keyhop::registry
