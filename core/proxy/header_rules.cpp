#include "core/proxy/header_rules.hpp"

#include <algorithm>
#include <boost/container/small_vector.hpp>
#include <utility>
#include <vector>

#include "core/flows/http_text.hpp"

namespace keyhop::proxy {
namespace {

using flows::equalsIgnoreCase;
using flows::startsWithIgnoreCase;

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Both on the stack for a message of usual size: these run twice per proxied request.
constexpr std::size_t kInlineHeaders = 32;
using ConnectionOptions = boost::container::small_vector<std::string_view, 4>;

// The header names the message's Connection headers list (comma-separated options), read once
// per message. Views into `headers` (a HeaderList, or HeaderViews).
template <typename Headers>
ConnectionOptions connectionOptions(const Headers& headers) {
  ConnectionOptions listed;
  for (const auto& header : headers) {
    if (!equalsIgnoreCase(header.name, "Connection")) continue;
    std::string_view options = header.value;
    while (!options.empty()) {
      const std::size_t comma = options.find(',');
      if (const auto option = trimmed(options.substr(0, comma)); !option.empty()) {
        listed.push_back(option);
      }
      if (comma == std::string_view::npos) break;
      options.remove_prefix(comma + 1);
    }
  }
  return listed;
}

// RFC 9110 7.6.1's hop-by-hop fields, told apart by length first: a name of another length (most
// of them) is ruled out on one comparison.
bool namedHopByHop(std::string_view name) {
  switch (name.size()) {
    case 2:
      return equalsIgnoreCase(name, "TE");
    case 7:
      return equalsIgnoreCase(name, "Trailer") || equalsIgnoreCase(name, "Upgrade");
    case 10:
      return equalsIgnoreCase(name, "Connection") || equalsIgnoreCase(name, "Keep-Alive");
    case 17:
      return equalsIgnoreCase(name, "Transfer-Encoding");
    default:
      return false;
  }
}

bool hopByHop(std::string_view name, const ConnectionOptions& listed) {
  return namedHopByHop(name) || startsWithIgnoreCase(name, "Proxy-") ||
         std::any_of(listed.begin(), listed.end(),
                     [&](std::string_view option) { return equalsIgnoreCase(name, option); });
}

// Headers keyhop reads itself on the way in, or sets for the provider.
bool keyhopsOwn(std::string_view name) {
  return equalsIgnoreCase(name, "Host") || equalsIgnoreCase(name, "Authorization") ||
         equalsIgnoreCase(name, "Content-Length") || startsWithIgnoreCase(name, "Keyhop-");
}

}  // namespace

bool isHopByHop(std::string_view name, const HeaderList& headers) {
  return hopByHop(name, connectionOptions(headers));
}

HeaderList requestHeadersToForward(HeaderList headers) {
  // All decided before any move: `listed` views the Connection headers' values. The kept
  // headers are moved, not copied.
  const auto listed = connectionOptions(headers);
  boost::container::small_vector<bool, kInlineHeaders> keep(headers.size());
  for (std::size_t i = 0; i < headers.size(); ++i) {
    keep[i] = !hopByHop(headers[i].name, listed) && !keyhopsOwn(headers[i].name);
  }
  std::size_t kept = 0;
  for (std::size_t i = 0; i < headers.size(); ++i) {
    if (!keep[i]) continue;
    if (kept != i) headers[kept] = std::move(headers[i]);
    ++kept;
  }
  headers.resize(kept);
  return headers;
}

flows::HeaderViews responseHeadersToReturn(const flows::HeaderViews& headers) {
  const auto listed = connectionOptions(headers);
  flows::HeaderViews kept;
  for (const auto& header : headers) {
    if (!hopByHop(header.name, listed) && !equalsIgnoreCase(header.name, "Content-Length")) {
      kept.push_back(header);
    }
  }
  return kept;
}

}  // namespace keyhop::proxy
