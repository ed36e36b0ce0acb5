#include "core/server/request_parser.hpp"

#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <optional>

namespace keyhop::server {

namespace http = boost::beast::http;
namespace {

std::string toString(boost::beast::string_view text) { return {text.data(), text.size()}; }

}  // namespace

class RequestParser::Impl final {
 public:
  Impl(std::size_t max_header_bytes, std::size_t max_body_bytes) {
    parser.header_limit(static_cast<std::uint32_t>(max_header_bytes));
    parser.body_limit(static_cast<std::uint64_t>(max_body_bytes));
  }

  http::request_parser<http::string_body> parser;
};

RequestParser::RequestParser(std::size_t max_header_bytes, std::size_t max_body_bytes)
    : max_header_bytes_(max_header_bytes),
      max_body_bytes_(max_body_bytes),
      impl_(std::make_unique<Impl>(max_header_bytes, max_body_bytes)) {}

RequestParser::~RequestParser() = default;

std::size_t RequestParser::feed(const char* data, std::size_t size) {
  std::size_t used = 0;
  auto& parser = impl_->parser;
  while (!failure_ && !parser.is_done() && used < size) {
    boost::beast::error_code ec;
    const std::size_t n = parser.put(boost::asio::const_buffer(data + used, size - used), ec);
    used += n;
    if (ec == http::error::need_more) break;
    if (ec == http::error::header_limit) {
      failure_.reset(new ParseFailure{431, "header_too_large",
                                      "the request header is larger than the server accepts"});
    } else if (ec == http::error::body_limit) {
      failure_.reset(new ParseFailure{413, "body_too_large",
                                      "the request body is larger than the server accepts"});
    } else if (ec) {
      failure_.reset(new ParseFailure{400, "bad_request", "malformed HTTP request"});
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

Request RequestParser::take() {
  auto message = impl_->parser.release();
  impl_ = std::make_unique<Impl>(max_header_bytes_, max_body_bytes_);

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
  request.body = std::move(message.body());
  return request;
}

}  // namespace keyhop::server
