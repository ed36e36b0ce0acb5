#pragma once

#include <cstdint>
#include <string>

#include "keyhop/provider.hpp"

namespace keyhop::test {

struct HttpResult {
  int status = 0;
  std::string reason;
  HeaderList headers;
  std::string body;

  std::string header(const std::string& name) const;  // case-insensitive; "" when absent
};

// One request to 127.0.0.1:port over a fresh connection; throws on a network error.
HttpResult httpRequest(std::uint16_t port, const std::string& method, const std::string& target,
                       const std::string& body = "", const HeaderList& headers = {});

// A port that was free a moment ago on 127.0.0.1, for a server that cannot bind port 0.
std::uint16_t freePort();

}  // namespace keyhop::test
