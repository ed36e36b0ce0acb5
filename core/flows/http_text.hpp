#pragma once

// Checks of HTTP's ASCII text (header names, methods, values) for the server and the proxy.
// Inline and table-driven: they run on every header of every proxied request and answer.

#include <algorithm>
#include <array>
#include <string_view>

namespace keyhop::flows {

// Whether `text` holds CR, LF or NUL, any of which would split an HTTP header line. One plain
// pass: find_first_of would search the set once per character.
inline bool holdsLineBreak(std::string_view text) {
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

// RFC 9110 tchar: what a method or a header name is made of.
inline bool isTokenChar(char c) {
  static constexpr auto kToken = [] {
    std::array<bool, 256> table{};
    for (int c = '0'; c <= '9'; ++c) table[c] = true;
    for (int c = 'A'; c <= 'Z'; ++c) table[c] = true;
    for (int c = 'a'; c <= 'z'; ++c) table[c] = true;
    for (const char c : std::string_view("!#$%&'*+-.^_`|~"))
      table[static_cast<unsigned char>(c)] = true;
    return table;
  }();
  return kToken[static_cast<unsigned char>(c)];
}

inline bool isToken(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), isTokenChar);
}

inline char lowerAscii(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// Header names and such are ASCII: no locale lookups.
inline bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return lowerAscii(x) == lowerAscii(y);
         });
}

inline bool startsWithIgnoreCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && equalsIgnoreCase(text.substr(0, prefix.size()), prefix);
}

}  // namespace keyhop::flows
