#include "core/server/response_head.hpp"

#include <Poco/Logger.h>
#include <Poco/Net/HTTPResponse.h>

#include <algorithm>

namespace keyhop::server {
namespace {

bool isTokenChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool safeName(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), isTokenChar);
}

bool safeText(const std::string& text) {
  return text.find_first_of("\r\n", 0, 3) == std::string::npos;  // NUL included
}

const std::string& standardReason(int status) {
  static const std::string kNone;
  const auto& reason = Poco::Net::HTTPResponse::getReasonForStatus(
      static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
  return reason == Poco::Net::HTTPResponse::HTTP_REASON_UNKNOWN ? kNone : reason;
}

}  // namespace

void appendResponseHead(std::string& out, const Response& response, ConnectionToken connection) {
  out += "HTTP/1.1 ";
  out += std::to_string(response.status);
  out += ' ';
  out += !response.reason.empty() && safeText(response.reason) ? response.reason
                                                               : standardReason(response.status);
  out += "\r\n";
  for (const auto& header : response.headers) {
    if (equalsIgnoreCase(header.name, "Content-Length") ||
        equalsIgnoreCase(header.name, "Transfer-Encoding") ||
        equalsIgnoreCase(header.name, "Connection"))
      continue;
    if (!safeName(header.name) || !safeText(header.value)) {
      Poco::Logger::get("keyhop.server").warning("dropped an unsafe response header");
      continue;
    }
    out += header.name;
    out += ": ";
    out += header.value;
    out += "\r\n";
  }
  if (response.status != 204 && response.status != 304) {
    out += "Content-Length: ";
    out += std::to_string(response.body.size());
    out += "\r\n";
  }
  if (connection == ConnectionToken::Close) out += "Connection: close\r\n";
  if (connection == ConnectionToken::KeepAlive) out += "Connection: keep-alive\r\n";
  out += "\r\n";
}

bool asksToClose(const Response& response) {
  const std::string* value = response.header("Connection");
  return value && equalsIgnoreCase(*value, "close");
}

}  // namespace keyhop::server
