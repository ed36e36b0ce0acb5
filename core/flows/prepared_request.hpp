#pragma once

// A request the flows build and own, handed to HttpClient (and hooks) as the SDK's
// OutgoingRequest view.

#include <string>

#include "keyhop/provider.hpp"

namespace keyhop::flows {

struct PreparedRequest {
  std::string method;
  std::string url;
  HeaderList headers;
  std::string body;

  // Borrows `body`: valid while this object lives and is not changed.
  OutgoingRequest view() const { return OutgoingRequest{method, url, headers, body}; }
};

}  // namespace keyhop::flows
