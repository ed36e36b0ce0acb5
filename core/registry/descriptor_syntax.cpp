#include "core/registry/descriptor_syntax.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>

namespace keyhop::registry {

namespace {

bool isLowerOrDigit(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool isWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

}  // namespace

bool isProviderId(const std::string& id) {
  return !id.empty() && id.size() <= 63 && id.front() != '-' &&
         std::all_of(id.begin(), id.end(), [](char c) { return isLowerOrDigit(c) || c == '-'; });
}

bool isIdentifier(const std::string& name) {
  return !name.empty() && std::isdigit(static_cast<unsigned char>(name.front())) == 0 &&
         std::all_of(name.begin(), name.end(), isWordChar);
}

bool isFieldName(const std::string& name) {
  return !name.empty() && name.front() >= 'a' && name.front() <= 'z' &&
         std::all_of(name.begin(), name.end(),
                     [](char c) { return isLowerOrDigit(c) || c == '_'; });
}

bool isDottedPath(const std::string& path) {
  return !path.empty() && path.front() != '.' && path.back() != '.' &&
         path.find("..") == std::string::npos &&
         std::all_of(path.begin(), path.end(), [](char c) { return isWordChar(c) || c == '.'; });
}

bool isHeaderName(const std::string& name) {
  constexpr std::string_view kSymbols = "!#$%&'*+-.^_`|~";
  return !name.empty() && std::all_of(name.begin(), name.end(), [&](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
           kSymbols.find(c) != std::string_view::npos;
  });
}

bool isAnchored(const std::string& pattern) {
  if (pattern.size() < 2 || pattern.front() != '^' || pattern.back() != '$') return false;
  // A final `$` after an odd number of backslashes is a literal dollar, not an anchor.
  std::size_t backslashes = 0;
  for (auto it = pattern.rbegin() + 1; it != pattern.rend() && *it == '\\'; ++it) ++backslashes;
  return backslashes % 2 == 0;
}

}  // namespace keyhop::registry
