#include "core/proxy/header_rules.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace keyhop::proxy {
namespace {

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool startsWithIgnoreCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && equalsIgnoreCase(text.substr(0, prefix.size()), prefix);
}

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Whether a Connection header lists `name` among its comma-separated options.
bool listedInConnection(std::string_view name, const HeaderList& headers) {
  for (const auto& header : headers) {
    if (!equalsIgnoreCase(header.name, "Connection")) continue;
    std::string_view options = header.value;
    while (!options.empty()) {
      const std::size_t comma = options.find(',');
      if (equalsIgnoreCase(trimmed(options.substr(0, comma)), name)) return true;
      if (comma == std::string_view::npos) break;
      options.remove_prefix(comma + 1);
    }
  }
  return false;
}

template <typename Drop>
HeaderList without(const HeaderList& headers, Drop drop) {
  HeaderList kept;
  kept.reserve(headers.size());
  for (const auto& header : headers) {
    if (!drop(header.name)) kept.push_back(header);
  }
  return kept;
}

}  // namespace

bool isHopByHop(std::string_view name, const HeaderList& headers) {
  static constexpr std::array<std::string_view, 6> kHopByHop = {
      "Connection", "Keep-Alive", "TE", "Trailer", "Transfer-Encoding", "Upgrade"};
  for (const auto hop : kHopByHop) {
    if (equalsIgnoreCase(name, hop)) return true;
  }
  return startsWithIgnoreCase(name, "Proxy-") || listedInConnection(name, headers);
}

HeaderList requestHeadersToForward(const HeaderList& headers) {
  return without(headers, [&headers](std::string_view name) {
    return isHopByHop(name, headers) || equalsIgnoreCase(name, "Host") ||
           equalsIgnoreCase(name, "Authorization") || equalsIgnoreCase(name, "Content-Length") ||
           startsWithIgnoreCase(name, "Keyhop-");
  });
}

HeaderList responseHeadersToReturn(const HeaderList& headers) {
  return without(headers, [&headers](std::string_view name) {
    return isHopByHop(name, headers) || equalsIgnoreCase(name, "Content-Length");
  });
}

}  // namespace keyhop::proxy
