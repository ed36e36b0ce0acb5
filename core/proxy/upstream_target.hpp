#pragma once

// Where a proxied request goes: the descriptor's API base URL (its templates filled from the
// connection) plus the path and query the caller sent. The host comes from the descriptor
// alone; the caller's path can only ever add segments below the base path. Everything that
// could make a server or an intermediary see another target is refused before any upstream
// connection: dot segments (encoded or not, once or twice), an empty segment (`//host`), a
// backslash, '@', control characters, a scheme in the first segment, a fragment.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "keyhop/provider.hpp"
#include "keyhop/provider_spec.hpp"

namespace keyhop::proxy {

// Where connections go. Made once per descriptor (per connection when the base URL names a
// template) and shared by every request to it, and by the connections carrying them.
struct UpstreamOrigin {
  bool tls = true;
  std::string host;
  std::uint16_t port = 443;
  std::string url;          // "https://api.example.com[:port]": what the pool keys connections by
  std::string host_header;  // host[:port] as the Host header names it
};

struct UpstreamTarget {
  std::shared_ptr<const UpstreamOrigin> origin;  // never null
  std::string target;  // the request target: base path + "/" + path [+ "?" + query], raw
};

// `code` is for the Keyhop-Error header: "invalid_proxy_path" (the caller's path or query) or
// "invalid_connection_fields" (a template value unfit for the base URL). `message` names the
// rule that was broken, never the value.
struct TargetError {
  std::string code;
  std::string message;
};

// `raw_path` is the part after /proxy/{integration}/, undecoded; `raw_query` is the query
// without '?', undecoded (empty: none). Both are forwarded byte for byte when accepted.
std::variant<UpstreamTarget, TargetError> resolveUpstreamTarget(const ProviderSpec& spec,
                                                                const Credentials& credentials,
                                                                std::string_view raw_path,
                                                                std::string_view raw_query);

}  // namespace keyhop::proxy
