#pragma once

// The account's own id for its end user, as connect sessions and connections take it.

#include "core/server/handlers/json_input.hpp"

namespace keyhop::server {

// Non-empty, at most 256 bytes, no control characters.
inline constexpr TextRule kUserIdRule{256, false};

}  // namespace keyhop::server
