#pragma once

// Internal to the server. Incremental HTTP/1.1 request parsing over Boost.Beast's basic_parser,
// kept behind this class so Beast's headers stay in one .cpp. One request at a time; bytes of
// a pipelined next request are left unconsumed.
//
// A body is buffered up to max_body_bytes. Past that the parser stops and says so
// (bodyOverBuffer): the caller refuses the body (refuseBody, a 413) or takes it streamed
// (streamBody), in pieces, with takeBody().

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

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
  // with more. Streaming, it stops once a piece of body is ready for takeBody().
  std::size_t feed(const char* data, std::size_t size);

  bool headerDone() const;
  bool done() const;
  bool failed() const { return failure_ != nullptr; }
  const ParseFailure& failure() const { return *failure_; }

  // Valid once the header is done, until take() or reset().
  bool expectsContinue() const;
  bool keepAlive() const;
  unsigned version() const;  // 11 for HTTP/1.1, 10 for HTTP/1.0
  std::string_view method() const;
  std::string_view path() const;                       // raw, without the query
  std::optional<std::uint64_t> contentLength() const;  // empty for a chunked body

  // The body is (or is announced) larger than max_body_bytes; the parser goes no further
  // until the caller chooses one of these two.
  bool bodyOverBuffer() const { return over_buffer_ && !streaming_; }
  void refuseBody();  // fails with 413
  void streamBody();  // no limit from now on; the body comes out through takeBody()

  // The request line and headers (once the header is done), taken: method() and path() are
  // empty after it. The body stays here.
  Request takeHead();
  // The body bytes parsed so far and not yet taken.
  std::string takeBody();

  // Once done(): the request (method, target, path, query, headers, body), and the parser is
  // ready for the next one.
  Request take();
  // Ready for the next request (after a streamed one).
  void reset();

 private:
  class Impl;
  std::size_t max_header_bytes_;
  std::size_t max_body_bytes_;
  std::unique_ptr<Impl> impl_;
  std::unique_ptr<ParseFailure> failure_;
  bool over_buffer_ = false;
  bool streaming_ = false;
};

}  // namespace keyhop::server
