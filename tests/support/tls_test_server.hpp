#pragma once

// An https server on 127.0.0.1 whose certificate comes from a test CA, answering every request
// with `handle` (on one of its threads, so `handle` must be thread-safe).

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <cstdint>
#include <functional>
#include <memory>

#include "tests/support/test_certificates.hpp"

namespace keyhop::test {

class TlsTestServer final {
 public:
  using Handle =
      std::function<void(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse&)>;

  TlsTestServer(const TestCertificates& certificates, Handle handle);
  ~TlsTestServer();  // stops serving, closing kept-alive connections
  TlsTestServer(const TlsTestServer&) = delete;
  TlsTestServer& operator=(const TlsTestServer&) = delete;

  std::uint16_t port() const;

 private:
  struct Server;
  std::unique_ptr<Server> server_;
};

}  // namespace keyhop::test
