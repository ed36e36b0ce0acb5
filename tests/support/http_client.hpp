#pragma once

#include <Poco/Net/StreamSocket.h>

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

// A 127.0.0.1 port held for as long as this lives, bound but not listening: connecting to it is
// refused, and no other server (another test running alongside) is given it, while a server
// that binds it with SO_REUSEADDR (the fakes do) may listen on it meanwhile. For a test that
// needs "nobody answers there yet" for a while, where freePort()'s port could be taken.
class PortReservation {
 public:
  PortReservation();
  std::uint16_t port() const { return port_; }

 private:
  Poco::Net::StreamSocket socket_;
  std::uint16_t port_;
};

}  // namespace keyhop::test
