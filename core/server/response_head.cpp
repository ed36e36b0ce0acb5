#include "core/server/response_head.hpp"

#include <Poco/Logger.h>
#include <Poco/Net/HTTPResponse.h>

#include "core/flows/head_writer.hpp"
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
constexpr std::size_t kLongestFixedParts = sizeof "HTTP/1.1  \r\n" + sizeof "Content-Length: \r\n" +
                                           2 * flows::HeadWriter::kLongestNumber +
                                           sizeof "Transfer-Encoding: chunked\r\n" +
                                           sizeof "Connection: keep-alive\r\n" + sizeof "\r\n";

}  // namespace

void appendHead(std::string& out, int status, std::string_view reason,
                const flows::HeaderViews& headers, BodyFraming framing,
                ConnectionToken connection) {
  if (reason.empty() || flows::holdsLineBreak(reason)) reason = standardReason(status);
  std::size_t room = kLongestFixedParts + reason.size();
  for (const auto& header : headers) room += flows::HeadWriter::lineRoom(header.name, header.value);
  flows::HeadWriter head(out, room);
  head.put("HTTP/1.1 ");
  head.putNumber(status);
  head.put(" ");
  head.put(reason);
  head.put("\r\n");
  for (const auto& header : headers) {
    if (equalsIgnoreCase(header.name, "Content-Length") ||
        equalsIgnoreCase(header.name, "Transfer-Encoding") ||
        equalsIgnoreCase(header.name, "Connection"))
      continue;
    if (!flows::isToken(header.name) || flows::holdsLineBreak(header.value)) {
      Poco::Logger::get("keyhop.server").warning("dropped an unsafe response header");
      continue;
    }
    head.putLine(header.name, header.value);
  }
  using Kind = BodyFraming::Kind;
  if (framing.kind == Kind::ContentLength ||
      (framing.kind == Kind::None && framing.announce_length)) {
    head.put("Content-Length: ");
    head.putNumber(framing.length);
    head.put("\r\n");
  }
  if (framing.kind == Kind::Chunked) head.put("Transfer-Encoding: chunked\r\n");
  if (connection == ConnectionToken::Close) head.put("Connection: close\r\n");
  if (connection == ConnectionToken::KeepAlive) head.put("Connection: keep-alive\r\n");
  head.put("\r\n");
  head.finish();
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
