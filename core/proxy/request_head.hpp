#pragma once

// Internal to the proxy. The bytes of one HTTP/1.1 request to a provider, made once per
// exchange and kept until its answer starts, so a request lost on a stale connection can be
// sent again as it was.

#include <string>

#include "core/proxy/upstream_pool.hpp"

namespace keyhop::proxy {

struct RequestBytes {
  std::string head;           // request line and headers; a small body is appended here (one write)
  std::string body;           // a large body, sent after `head` without being copied into it
  bool body_follows = false;  // the body comes later (UpstreamRequest::body_follows)...
  bool chunked = false;       // ...and is sent chunked
};

// Host first, then the request's headers as given except those the stamp replaces, then the
// stamp's (a header whose name or value holds CR, LF or NUL is dropped: it would split the
// request), then Content-Length when there is a body or the method carries one (POST, PUT,
// PATCH), or Transfer-Encoding: chunked for a body that follows with no known length.
RequestBytes serializeRequest(const UpstreamRequest& request);

}  // namespace keyhop::proxy
