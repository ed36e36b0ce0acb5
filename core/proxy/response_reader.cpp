#include "core/proxy/response_reader.hpp"

#include <algorithm>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <limits>

namespace keyhop::proxy {

namespace http = boost::beast::http;
using boost::beast::error_code;
using boost::beast::string_view;

namespace {

std::string_view view(string_view text) { return {text.data(), text.size()}; }

}  // namespace

// Beast's parser with callbacks that hand the answer on as it is parsed. A sink that says
// "stop" is turned into need_buffer: Beast keeps its state and takes the next put() from there.
// Beast parses a head only once all of it is in the buffer put() was given, so the views of
// the start line and fields all point into that buffer when on_header_impl hands them on.
class ResponseReader::Parser final : public http::basic_parser<false> {
 public:
  Parser(std::size_t max_header_bytes, bool head_request) : head_request_(head_request) {
    header_limit(static_cast<std::uint32_t>(
        std::min<std::size_t>(max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
    // The body streams through, so its size is not limited here (max, not none: Beast 1.74
    // compares a Content-Length against an empty limit as if it were exceeded).
    body_limit(std::numeric_limits<std::uint64_t>::max());
    eager(true);
    skip(head_request);
  }

  ResponseSink* sink = nullptr;
  bool stopped = false;
  bool delivered = false;  // the sink has the head
  int status = 0;

 private:
  void on_request_impl(http::verb, string_view, string_view, int, error_code&) override {}

  void on_response_impl(int code, string_view reason, int, error_code&) override {
    status = code;
    head_.status = code;
    head_.reason = view(reason);
  }

  void on_field_impl(http::field, string_view name, string_view value, error_code&) override {
    head_.headers.push_back({view(name), view(value)});
  }

  void on_header_impl(error_code& ec) override {
    if (status / 100 == 1) return;  // interim: the real answer follows
    if (!chunked()) {
      if (const auto length = content_length()) head_.content_length = *length;
    }
    head_.has_body = !head_request_ && status != 204 && status != 304;
    delivered = true;
    if (!sink->onResponseHead(head_)) stop(ec);
  }

  void on_body_init_impl(const boost::optional<std::uint64_t>&, error_code&) override {}

  std::size_t on_body_impl(string_view body, error_code& ec) override {
    if (!body.empty() && !sink->onResponseBody(std::string_view(body.data(), body.size()))) {
      stop(ec);
    }
    return body.size();
  }

  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}

  std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code& ec) override {
    return on_body_impl(body, ec);
  }

  void on_finish_impl(error_code&) override {}

  void stop(error_code& ec) {
    stopped = true;
    ec = http::error::need_buffer;
  }

  bool head_request_;
  UpstreamHeadView head_;
};

ResponseReader::ResponseReader(std::size_t header_limit)
    : header_limit_(header_limit), parser_(std::make_unique<Parser>(header_limit, false)) {}

ResponseReader::~ResponseReader() = default;

void ResponseReader::start(bool head_request) {
  head_request_ = head_request;
  // Beast's parser does not reset: a fresh one is moved into the kept allocation.
  *parser_ = Parser(header_limit_, head_request);
  started_ = false;
  delivered_ = false;
  failure_.clear();
}

ResponseReader::Status ResponseReader::feed(const char* data, std::size_t size, ResponseSink& sink,
                                            std::size_t& used) {
  used = 0;
  if (!failure_.empty()) return Status::Failed;
  if (size > 0) started_ = true;
  while (true) {
    Parser& parser = *parser_;
    parser.sink = &sink;
    parser.stopped = false;
    error_code ec;
    used += parser.put(boost::asio::const_buffer(data + used, size - used), ec);
    delivered_ = delivered_ || parser.delivered;
    if (parser.stopped) return Status::Stopped;
    if (ec == http::error::need_more) return Status::NeedMore;
    if (ec == http::error::header_limit) return fail("the answer's header is too large");
    if (ec) return fail("malformed answer (" + ec.message() + ")");
    if (!parser.is_done()) return Status::NeedMore;  // everything fed was used
    if (parser.status == 101) return fail("unexpected protocol switch");
    if (parser.status / 100 != 1) return Status::Done;
    *parser_ = Parser(header_limit_, head_request_);  // after an interim 1xx
    if (used == size) return Status::NeedMore;
  }
}

ResponseReader::Status ResponseReader::finish() {
  if (!failure_.empty()) return Status::Failed;
  if (!parser_->got_some()) return fail("the connection closed without an answer");
  error_code ec;
  parser_->put_eof(ec);
  if (ec) return fail("the connection closed before the answer was complete");
  return Status::Done;
}

bool ResponseReader::keepAlive() const { return parser_->keep_alive() && !parser_->need_eof(); }

ResponseReader::Status ResponseReader::fail(std::string what) {
  failure_ = std::move(what);
  return Status::Failed;
}

}  // namespace keyhop::proxy
