#pragma once

// Internal to the proxy. Reads one provider answer at a time with Boost.Beast's HTTP/1.1
// parser: the head exactly as sent (reason phrase, header names and order, repeats), then the
// body de-chunked, as views into the bytes fed (no copy). Interim 1xx answers are skipped.
// The body is never collected: its size is the provider's business.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "core/proxy/upstream_pool.hpp"

namespace keyhop::proxy {

class ResponseSink {
 public:
  virtual ~ResponseSink() = default;
  // `head` views the bytes fed, during the call only. false: stop parsing (nobody wants the
  // answer any more).
  virtual bool onResponseHead(const UpstreamHeadView& head) = 0;
  // `bytes` is valid during the call only. false: stop after this piece; the bytes fed after
  // it stay unparsed until the next feed().
  virtual bool onResponseBody(std::string_view bytes) = 0;
};

class ResponseReader final {
 public:
  enum class Status {
    NeedMore,  // everything fed is used; the answer goes on
    Stopped,   // the sink said stop; `used` says how far it got
    Done,      // the answer is complete; bytes after it are not used
    Failed,    // not HTTP, or over the header limit: see failure()
  };

  explicit ResponseReader(std::size_t header_limit);
  ~ResponseReader();
  ResponseReader(const ResponseReader&) = delete;
  ResponseReader& operator=(const ResponseReader&) = delete;

  // Readies the reader for the answer to a new request (a HEAD request's answer has no body).
  void start(bool head_request);
  // Parses from `data`; `used` is set to the bytes consumed. A head split across feeds is
  // re-parsed whole, so the caller keeps unused bytes and feeds them again with what follows.
  Status feed(const char* data, std::size_t size, ResponseSink& sink, std::size_t& used);
  // The provider closed the connection: Done when that ends a close-delimited body.
  Status finish();

  bool started() const { return started_; }          // some byte of an answer came
  bool headDelivered() const { return delivered_; }  // the sink has the head
  // After Done: the provider lets the connection carry another exchange.
  bool keepAlive() const;
  const std::string& failure() const { return failure_; }  // no byte of the answer in it

 private:
  class Parser;
  Status fail(std::string what);

  std::size_t header_limit_;
  std::unique_ptr<Parser> parser_;
  bool head_request_ = false;
  bool started_ = false;
  bool delivered_ = false;
  std::string failure_;
};

}  // namespace keyhop::proxy
