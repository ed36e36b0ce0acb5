#pragma once

// The outbound HTTP client the flows talk to token endpoints with: one request, one answer,
// blocking (flows run on the worker pool, never on a reactor thread). https is verified against
// the system's CA store (or a configured CA file) with the host name checked; plain http is
// allowed only towards loopback hosts, where the fake providers of the tests live.

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

#include <Poco/AutoPtr.h>

#include "keyhop/provider.hpp"

namespace Poco::Net {
class Context;
}

namespace keyhop::flows {

struct HttpClientOptions {
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds read_timeout{15000};
  std::string ca_file;  // empty: the system's CA store
  std::size_t max_body_bytes = 1024 * 1024;
};

struct HttpResponse {
  int status = 0;
  HeaderList headers;
  std::string body;

  // The first header of that name (case-insensitive), or "".
  std::string header(std::string_view name) const;
};

enum class HttpFailureKind {
  Timeout,      // connecting or reading took longer than the options allow
  Unreachable,  // no connection: refused, no such host, TLS handshake or certificate refused
  Protocol,     // a connection, but no usable HTTP answer (bad URL, oversized or broken answer)
};

// `message` names the method and the URL without its query, never a header or the body: those
// carry client secrets, codes and tokens.
struct HttpFailure {
  HttpFailureKind kind = HttpFailureKind::Protocol;
  std::string message;
};

class HttpResult {
 public:
  HttpResult(HttpResponse response) : value_(std::move(response)) {}
  HttpResult(HttpFailure failure) : value_(std::move(failure)) {}

  explicit operator bool() const { return std::holds_alternative<HttpResponse>(value_); }
  const HttpResponse& response() const { return std::get<HttpResponse>(value_); }
  const HttpFailure& failure() const { return std::get<HttpFailure>(value_); }

 private:
  std::variant<HttpResponse, HttpFailure> value_;
};

const char* toString(HttpFailureKind kind);

class HttpClient final {
 public:
  // Throws at start-up when the TLS context cannot be made (an unreadable CA file).
  explicit HttpClient(HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  const HttpClientOptions& options() const { return options_; }

  // Sends `request` on a fresh connection and reads the whole answer. Thread-safe.
  HttpResult send(const OutgoingRequest& request) const;

 private:
  HttpClientOptions options_;
  Poco::AutoPtr<Poco::Net::Context> tls_;
};

// True for 127.0.0.0/8, ::1 and "localhost": the hosts plain http may go to.
bool isLoopbackHost(std::string_view host);

}  // namespace keyhop::flows
