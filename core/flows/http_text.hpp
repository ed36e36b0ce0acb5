#pragma once

// HTTP's text for the server and the proxy: checks of its ASCII (header names, methods,
// values), inline and table-driven, and headers viewed in place. Both run on every header of
// every proxied request and answer.

#include <algorithm>
#include <array>
#include <boost/container/small_vector.hpp>
#include <string_view>

#include "keyhop/provider.hpp"

namespace keyhop::flows {

// A header read where it lies (a parser's buffer, a HeaderList), valid while that is.
struct HeaderView {
  std::string_view name;
  std::string_view value;
};
// Room for the headers of most messages without allocating.
using HeaderViews = boost::container::small_vector<HeaderView, 16>;

inline HeaderViews viewsOf(const HeaderList& headers) {
  HeaderViews views;
  for (const auto& header : headers) views.push_back({header.name, header.value});
  return views;
}

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

// Header names and such are ASCII: no locale lookups. Bytes that are equal (most, in names
// written alike) take one comparison.
inline bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto x = static_cast<unsigned char>(a[i]);
    const auto y = static_cast<unsigned char>(b[i]);
    if (x == y) continue;
    const unsigned char lower = x | 0x20;  // a letter's case is its 0x20 bit
    if (lower != (y | 0x20) || lower < 'a' || lower > 'z') return false;
  }
  return true;
}

inline bool startsWithIgnoreCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && equalsIgnoreCase(text.substr(0, prefix.size()), prefix);
}

}  // namespace keyhop::flows
