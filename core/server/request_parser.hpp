#pragma once

// Internal to the server. Incremental HTTP/1.1 request parsing over Boost.Beast's parser,
// kept behind this class so Beast's headers stay in one .cpp. One request at a time; bytes of
// a pipelined next request are left unconsumed.

#include <cstddef>
#include <memory>
#include <string>

#include "core/server/http_message.hpp"

namespace keyhop::server {

struct ParseFailure {
  int status = 400;  // 400 malformed, 413 body too large, 431 header too large
  std::string code;
  std::string message;
};

class RequestParser final {
 public:
  RequestParser(std::size_t max_header_bytes, std::size_t max_body_bytes);
  ~RequestParser();
  RequestParser(const RequestParser&) = delete;
  RequestParser& operator=(const RequestParser&) = delete;

  // Parses what it can of `data` for the current request and returns the bytes it used. A
  // header is used only once it is complete, so the caller keeps the rest and feeds it again
  // with more.
  std::size_t feed(const char* data, std::size_t size);

  bool headerDone() const;
  bool done() const;
  bool failed() const { return failure_ != nullptr; }
  const ParseFailure& failure() const { return *failure_; }

  // Valid once the header is done, until take().
  bool expectsContinue() const;
  bool keepAlive() const;
  unsigned version() const;  // 11 for HTTP/1.1, 10 for HTTP/1.0

  // Once done(): the request (method, target, path, query, headers, body), and the parser is
  // ready for the next one.
  Request take();

 private:
  class Impl;
  std::size_t max_header_bytes_;
  std::size_t max_body_bytes_;
  std::unique_ptr<Impl> impl_;
  std::unique_ptr<ParseFailure> failure_;
};

}  // namespace keyhop::server
