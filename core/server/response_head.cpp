#include "core/server/response_head.hpp"

#include <Poco/Logger.h>
#include <Poco/Net/HTTPResponse.h>

#include <algorithm>

#include "core/flows/line_breaks.hpp"

namespace keyhop::server {
namespace {

bool isTokenChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool safeName(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), isTokenChar);
}

const std::string& standardReason(int status) {
  static const std::string kNone;
  const auto& reason = Poco::Net::HTTPResponse::getReasonForStatus(
      static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
  return reason == Poco::Net::HTTPResponse::HTTP_REASON_UNKNOWN ? kNone : reason;
}

}  // namespace

void appendHead(std::string& out, int status, std::string_view reason, const HeaderList& headers,
                BodyFraming framing, ConnectionToken connection) {
  out += "HTTP/1.1 ";
  out += std::to_string(status);
  out += ' ';
  if (!reason.empty() && !flows::holdsLineBreak(reason)) {
    out += reason;
  } else {
    out += standardReason(status);
  }
  out += "\r\n";
  for (const auto& header : headers) {
    if (equalsIgnoreCase(header.name, "Content-Length") ||
        equalsIgnoreCase(header.name, "Transfer-Encoding") ||
        equalsIgnoreCase(header.name, "Connection"))
      continue;
    if (!safeName(header.name) || flows::holdsLineBreak(header.value)) {
      Poco::Logger::get("keyhop.server").warning("dropped an unsafe response header");
      continue;
    }
    out += header.name;
    out += ": ";
    out += header.value;
    out += "\r\n";
  }
  using Kind = BodyFraming::Kind;
  if (framing.kind == Kind::ContentLength ||
      (framing.kind == Kind::None && framing.announce_length)) {
    out += "Content-Length: ";
    out += std::to_string(framing.length);
    out += "\r\n";
  }
  if (framing.kind == Kind::Chunked) out += "Transfer-Encoding: chunked\r\n";
  if (connection == ConnectionToken::Close) out += "Connection: close\r\n";
  if (connection == ConnectionToken::KeepAlive) out += "Connection: keep-alive\r\n";
  out += "\r\n";
}

void appendResponseHead(std::string& out, const Response& response, ConnectionToken connection) {
  BodyFraming framing;
  if (response.status == 204 || response.status == 304) {
    framing.kind = BodyFraming::Kind::None;
  } else {
    framing.length = response.body.size();
  }
  appendHead(out, response.status, response.reason, response.headers, framing, connection);
}

bool asksToClose(const Response& response) {
  const std::string* value = response.header("Connection");
  return value && equalsIgnoreCase(*value, "close");
}

}  // namespace keyhop::server
