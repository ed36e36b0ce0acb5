#pragma once

#include <algorithm>
#include <string_view>

namespace keyhop::flows {

// Whether `text` holds CR, LF or NUL, any of which would split an HTTP header line. One plain
// pass: find_first_of would search the set once per character, and this runs on every header
// of every proxied request and answer.
inline bool holdsLineBreak(std::string_view text) {
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

}  // namespace keyhop::flows
