#include "core/server/request_parser.hpp"

#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <limits>
#include <utility>

namespace keyhop::server {

namespace http = boost::beast::http;
namespace {

// Room offered to the parser for body bytes at a time, and the most a streamed body holds
// before the caller takes it.
constexpr std::size_t kBodyPiece = 64 * 1024;

std::string toString(boost::beast::string_view text) { return {text.data(), text.size()}; }

std::string_view toView(boost::beast::string_view text) { return {text.data(), text.size()}; }

}  // namespace

// Beast writes body bytes into room it is offered (buffer_body), here the end of `body`, so
// the caller decides how much a body may hold.
class RequestParser::Impl final {
 public:
  explicit Impl(std::size_t max_header_bytes) {
    parser.header_limit(static_cast<std::uint32_t>(max_header_bytes));
    // RequestParser's own limit applies. (Not boost::none: Boost 1.74 compares a Content-Length
    // with the optional itself, and an empty one is below every length.)
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  }

  void offer(std::size_t space) {
    if (body.size() < held + space) body.resize(held + space);
    auto& room = parser.get().body();
    room.data = body.data() + held;
    room.size = body.size() - held;
  }
  // Counts the bytes the last put wrote into the room offered.
  void settle() {
    auto& room = parser.get().body();
    held = body.size() - room.size;
    room.data = nullptr;
    room.size = 0;
  }

  http::request_parser<http::buffer_body> parser;
  std::string body;  // [0, held): received
  std::size_t held = 0;
};

RequestParser::RequestParser(std::size_t max_header_bytes, std::size_t max_body_bytes)
    : max_header_bytes_(max_header_bytes),
      max_body_bytes_(max_body_bytes),
      impl_(std::make_unique<Impl>(max_header_bytes)) {}

RequestParser::~RequestParser() = default;

std::size_t RequestParser::feed(const char* data, std::size_t size) {
  std::size_t used = 0;
  auto& parser = impl_->parser;
  while (!failure_ && !parser.is_done() && used < size) {
    if (parser.is_header_done()) {
      if (bodyOverBuffer()) break;
      if (streaming_ && impl_->held >= kBodyPiece) break;
      // Room for the announced rest, so a small body is one put; never past the limit + 1,
      // which is enough to tell a chunked body is over it.
      const std::size_t limit = streaming_ ? kBodyPiece : max_body_bytes_ + 1;
      const auto remaining = parser.content_length_remaining();
      std::size_t space = std::min(limit - std::min(limit, impl_->held), kBodyPiece);
      if (remaining && *remaining < space) space = static_cast<std::size_t>(*remaining);
      impl_->offer(std::max<std::size_t>(space, 1));
    }
    const bool in_body = parser.is_header_done();
    boost::beast::error_code ec;
    const std::size_t n = parser.put(boost::asio::const_buffer(data + used, size - used), ec);
    used += n;
    if (in_body) {
      impl_->settle();
      if (!streaming_ && impl_->held > max_body_bytes_) over_buffer_ = true;
    }
    if (ec == http::error::need_more) break;
    if (ec == http::error::need_buffer) continue;
    if (ec == http::error::header_limit) {
      failure_.reset(new ParseFailure{431, "header_too_large",
                                      "the request header is larger than the server accepts"});
    } else if (ec) {
      failure_.reset(new ParseFailure{400, "bad_request", "malformed HTTP request"});
    } else if (!in_body && parser.is_header_done()) {
      const auto length = parser.content_length();
      if (length && *length > max_body_bytes_) over_buffer_ = true;
    } else if (n == 0) {
      break;
    }
  }
  return used;
}

bool RequestParser::headerDone() const { return impl_->parser.is_header_done(); }

bool RequestParser::done() const { return impl_->parser.is_done(); }

bool RequestParser::expectsContinue() const {
  const auto& message = impl_->parser.get();
  if (message.version() < 11) return false;
  const auto it = message.find(http::field::expect);
  return it != message.end() &&
         equalsIgnoreCase(std::string_view(it->value().data(), it->value().size()), "100-continue");
}

bool RequestParser::keepAlive() const { return impl_->parser.get().keep_alive(); }

unsigned RequestParser::version() const { return impl_->parser.get().version(); }

std::string_view RequestParser::method() const {
  return toView(impl_->parser.get().method_string());
}

std::string_view RequestParser::path() const {
  const std::string_view target = toView(impl_->parser.get().target());
  return target.substr(0, target.find('?'));
}

std::optional<std::uint64_t> RequestParser::contentLength() const {
  const auto length = impl_->parser.content_length();
  if (!length) return std::nullopt;
  return *length;
}

void RequestParser::refuseBody() {
  failure_.reset(new ParseFailure{413, "body_too_large",
                                  "the request body is larger than the server accepts"});
}

void RequestParser::streamBody() { streaming_ = true; }

Request RequestParser::takeHead() const {
  const auto& message = impl_->parser.get();
  Request request;
  request.method = toString(message.method_string());
  request.target = toString(message.target());
  const std::size_t question = request.target.find('?');
  request.path = request.target.substr(0, question);
  if (question != std::string::npos) request.query = request.target.substr(question + 1);
  request.headers.reserve(static_cast<std::size_t>(std::distance(message.begin(), message.end())));
  for (const auto& field : message) {
    request.headers.push_back({toString(field.name_string()), toString(field.value())});
  }
  return request;
}

std::string RequestParser::takeBody() {
  impl_->body.resize(impl_->held);
  impl_->held = 0;
  return std::exchange(impl_->body, std::string());
}

Request RequestParser::take() {
  Request request = takeHead();
  request.body = takeBody();
  reset();
  return request;
}

void RequestParser::reset() {
  impl_ = std::make_unique<Impl>(max_header_bytes_);
  failure_.reset();
  over_buffer_ = false;
  streaming_ = false;
}

}  // namespace keyhop::server
