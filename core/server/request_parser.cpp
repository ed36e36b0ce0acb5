#include "core/server/request_parser.hpp"

#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <limits>
#include <memory>
#include <utility>

namespace keyhop::server {

namespace http = boost::beast::http;
namespace {

// The most a streamed body holds before the caller takes it.
constexpr std::size_t kBodyPiece = 64 * 1024;
// Room for the headers of most requests, so filling them does not regrow the list.
constexpr std::size_t kUsualHeaders = 16;

}  // namespace

// Beast's parser with callbacks that fill keyhop's Request as the head is parsed (no field
// container of Beast's to copy out of afterwards) and append the body to `body`, taking no more
// than `room` allows: past it, the callback pauses the parser (need_buffer) until the caller has
// decided (a body over the buffer) or taken what is held (a streamed body).
class RequestParser::Impl final : public http::basic_parser<true> {
 public:
  explicit Impl(std::size_t max_header_bytes) {
    header_limit(static_cast<std::uint32_t>(max_header_bytes));
    // RequestParser's own limit applies. (Not boost::none: Boost 1.74 compares a Content-Length
    // with the optional itself, and an empty one is below every length.)
    body_limit(std::numeric_limits<std::uint64_t>::max());
    request.headers.reserve(kUsualHeaders);
  }

  Request request;  // method, target and headers; the body is `body`
  unsigned version = 11;
  std::string expect;  // the first Expect header's value
  bool has_expect = false;
  std::string body;
  std::size_t room = 0;  // how many more body bytes may be held now

 private:
  void on_request_impl(http::verb, boost::beast::string_view method,
                       boost::beast::string_view target, int version_number,
                       boost::beast::error_code&) override {
    request.method.assign(method.data(), method.size());
    request.target.assign(target.data(), target.size());
    version = static_cast<unsigned>(version_number);
  }

  void on_response_impl(int, boost::beast::string_view, int, boost::beast::error_code&) override {}

  void on_field_impl(http::field field, boost::beast::string_view name,
                     boost::beast::string_view value, boost::beast::error_code&) override {
    request.headers.push_back(
        {std::string(name.data(), name.size()), std::string(value.data(), value.size())});
    if (field == http::field::expect && !has_expect) {
      expect.assign(value.data(), value.size());
      has_expect = true;
    }
  }

  void on_header_impl(boost::beast::error_code&) override {}

  void on_body_init_impl(const boost::optional<std::uint64_t>&,
                         boost::beast::error_code&) override {}

  std::size_t on_body_impl(boost::beast::string_view bytes, boost::beast::error_code& ec) override {
    const std::size_t taken = std::min(room, bytes.size());
    body.append(bytes.data(), taken);
    room -= taken;
    if (taken < bytes.size()) ec = http::error::need_buffer;
    return taken;
  }

  void on_chunk_header_impl(std::uint64_t, boost::beast::string_view,
                            boost::beast::error_code&) override {}

  std::size_t on_chunk_body_impl(std::uint64_t, boost::beast::string_view bytes,
                                 boost::beast::error_code& ec) override {
    return on_body_impl(bytes, ec);
  }

  void on_finish_impl(boost::beast::error_code&) override {}
};

RequestParser::RequestParser(std::size_t max_header_bytes, std::size_t max_body_bytes)
    : max_header_bytes_(max_header_bytes),
      max_body_bytes_(max_body_bytes),
      impl_(std::make_unique<Impl>(max_header_bytes)) {}

RequestParser::~RequestParser() = default;

std::size_t RequestParser::feed(const char* data, std::size_t size) {
  std::size_t used = 0;
  Impl& parser = *impl_;
  while (!failure_ && !parser.is_done() && used < size) {
    const bool in_body = parser.is_header_done();
    if (in_body) {
      if (bodyOverBuffer()) break;
      // Never past the limit + 1, which is enough to tell a chunked body is over it.
      const std::size_t limit = streaming_ ? kBodyPiece : max_body_bytes_ + 1;
      if (parser.body.size() >= limit) break;  // a streamed piece waits for takeBody()
      parser.room = limit - parser.body.size();
    }
    boost::beast::error_code ec;
    const std::size_t n = parser.put(boost::asio::const_buffer(data + used, size - used), ec);
    used += n;
    if (in_body && !streaming_ && parser.body.size() > max_body_bytes_) over_buffer_ = true;
    if (ec == http::error::need_more) break;
    if (ec == http::error::need_buffer) continue;
    if (ec == http::error::header_limit) {
      failure_ = std::make_unique<ParseFailure>(ParseFailure{
          431, "header_too_large", "the request header is larger than the server accepts"});
    } else if (ec) {
      failure_ = std::make_unique<ParseFailure>(
          ParseFailure{400, "bad_request", "malformed HTTP request"});
    } else if (!in_body && parser.is_header_done()) {
      const auto length = parser.content_length();
      if (length && *length > max_body_bytes_) over_buffer_ = true;
      if (length && *length <= max_body_bytes_) parser.body.reserve(*length);
    } else if (n == 0) {
      break;
    }
  }
  return used;
}

bool RequestParser::headerDone() const { return impl_->is_header_done(); }

bool RequestParser::done() const { return impl_->is_done(); }

bool RequestParser::expectsContinue() const {
  return impl_->version >= 11 && impl_->has_expect &&
         equalsIgnoreCase(impl_->expect, "100-continue");
}

bool RequestParser::keepAlive() const { return impl_->keep_alive(); }

unsigned RequestParser::version() const { return impl_->version; }

std::string_view RequestParser::method() const { return impl_->request.method; }

std::string_view RequestParser::path() const {
  const std::string_view target = impl_->request.target;
  return target.substr(0, target.find('?'));
}

std::optional<std::uint64_t> RequestParser::contentLength() const {
  const auto length = impl_->content_length();
  if (!length) return std::nullopt;
  return *length;
}

void RequestParser::refuseBody() {
  failure_ = std::make_unique<ParseFailure>(
      ParseFailure{413, "body_too_large", "the request body is larger than the server accepts"});
}

void RequestParser::streamBody() { streaming_ = true; }

Request RequestParser::takeHead() {
  Request request = std::move(impl_->request);
  const std::size_t question = request.target.find('?');
  request.path = request.target.substr(0, question);
  if (question != std::string::npos) request.query = request.target.substr(question + 1);
  return request;
}

std::string RequestParser::takeBody() { return std::exchange(impl_->body, std::string()); }

Request RequestParser::take() {
  Request request = takeHead();
  request.body = takeBody();
  reset();
  return request;
}

void RequestParser::reset() {
  *impl_ = Impl(max_header_bytes_);  // Beast's parser does not reset; this reuses the allocation
  failure_.reset();
  over_buffer_ = false;
  streaming_ = false;
}

}  // namespace keyhop::server
