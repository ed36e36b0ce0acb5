#pragma once

// A token endpoint's answer as what a connection stores.

#include <cstdint>
#include <map>
#include <string>

#include "keyhop/provider.hpp"

namespace keyhop::flows {

// The tokens, expires_at = `now_s` + expires_in (empty: never expires), the captured fields and
// the given connection fields. The granted scope is the provider's to enforce: not kept.
Credentials credentialsFromTokens(const TokenSet& tokens, std::int64_t now_s,
                                  std::map<std::string, std::string> connection_fields);

}  // namespace keyhop::flows
