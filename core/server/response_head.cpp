#include "core/server/response_head.hpp"

#include <Poco/Logger.h>
#include <Poco/Net/HTTPResponse.h>

#include <charconv>
#include <cstring>

#include "core/flows/http_text.hpp"

namespace keyhop::server {
namespace {

const std::string& standardReason(int status) {
  static const std::string kNone;
  const auto& reason = Poco::Net::HTTPResponse::getReasonForStatus(
      static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
  return reason == Poco::Net::HTTPResponse::HTTP_REASON_UNKNOWN ? kNone : reason;
}

// The room a head needs beyond its reason and headers: the status line's fixed text and
// number, and the longest framing and Connection lines with their numbers.
constexpr std::size_t kLongestNumber = 20;  // an unsigned 64-bit number in decimal
constexpr std::size_t kLongestFixedParts =
    sizeof "HTTP/1.1  \r\n" + kLongestNumber + sizeof "Content-Length: \r\n" + kLongestNumber +
    sizeof "Transfer-Encoding: chunked\r\n" + sizeof "Connection: keep-alive\r\n" + sizeof "\r\n";

}  // namespace

void appendHead(std::string& out, int status, std::string_view reason,
                const flows::HeaderViews& headers, BodyFraming framing,
                ConnectionToken connection) {
  if (reason.empty() || flows::holdsLineBreak(reason)) reason = standardReason(status);
  // Written in place into room made once: a head is a few dozen pieces, and an append each
  // (a capacity check and a call) cost more than the copying.
  std::size_t room = kLongestFixedParts + reason.size();
  for (const auto& header : headers) room += header.name.size() + header.value.size() + 4;
  const std::size_t start = out.size();
  out.resize(start + room);
  char* at = out.data() + start;
  const auto put = [&at](std::string_view text) {
    std::memcpy(at, text.data(), text.size());
    at += text.size();
  };
  const auto putNumber = [&at](auto number) {
    at = std::to_chars(at, at + kLongestNumber, number).ptr;
  };

  put("HTTP/1.1 ");
  putNumber(status);
  put(" ");
  put(reason);
  put("\r\n");
  for (const auto& header : headers) {
    if (equalsIgnoreCase(header.name, "Content-Length") ||
        equalsIgnoreCase(header.name, "Transfer-Encoding") ||
        equalsIgnoreCase(header.name, "Connection"))
      continue;
    if (!flows::isToken(header.name) || flows::holdsLineBreak(header.value)) {
      Poco::Logger::get("keyhop.server").warning("dropped an unsafe response header");
      continue;
    }
    put(header.name);
    put(": ");
    put(header.value);
    put("\r\n");
  }
  using Kind = BodyFraming::Kind;
  if (framing.kind == Kind::ContentLength ||
      (framing.kind == Kind::None && framing.announce_length)) {
    put("Content-Length: ");
    putNumber(framing.length);
    put("\r\n");
  }
  if (framing.kind == Kind::Chunked) put("Transfer-Encoding: chunked\r\n");
  if (connection == ConnectionToken::Close) put("Connection: close\r\n");
  if (connection == ConnectionToken::KeepAlive) put("Connection: keep-alive\r\n");
  put("\r\n");
  out.resize(static_cast<std::size_t>(at - out.data()));
}

void appendResponseHead(std::string& out, const Response& response, ConnectionToken connection) {
  BodyFraming framing;
  if (response.status == 204 || response.status == 304) {
    framing.kind = BodyFraming::Kind::None;
  } else {
    framing.length = response.body.size();
  }
  appendHead(out, response.status, response.reason, flows::viewsOf(response.headers), framing,
             connection);
}

bool asksToClose(const Response& response) {
  const std::string* value = response.header("Connection");
  return value && equalsIgnoreCase(*value, "close");
}

}  // namespace keyhop::server
