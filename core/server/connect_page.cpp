#include "core/server/connect_page.hpp"

#include <openssl/rand.h>

#include <array>
#include <stdexcept>

namespace keyhop::server {
namespace {

std::string htmlEscaped(const std::string& text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

// A JSON string that is also safe inside <script>: no "</script>", no "<!--".
std::string scriptString(const std::string& text) {
  std::string out;
  for (const char c : jsonString(text)) {
    if (c == '<') {
      out += "\\u003c";
    } else if (c == '>') {
      out += "\\u003e";
    } else if (c == '&') {
      out += "\\u0026";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string newNonce() {
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    throw std::runtime_error("the random number generator failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string nonce;
  for (const unsigned char byte : bytes) {
    nonce.push_back(kHex[byte >> 4]);
    nonce.push_back(kHex[byte & 0x0f]);
  }
  return nonce;
}

std::string message(const ConnectResult& result) {
  std::string text = "{\"type\":\"keyhop:connect\",\"status\":";
  text += result.connected ? "\"connected\"" : "\"error\"";
  text += ",\"integration\":" + scriptString(result.integration);
  text += ",\"user_id\":" + scriptString(result.user_id);
  if (!result.connected) {
    text += ",\"error\":" + scriptString(result.error_code);
    text += ",\"message\":" + scriptString(result.error_message);
  }
  return text + "}";
}

}  // namespace

Response connectPage(int status, const ConnectResult& result,
                     const std::vector<std::string>& opener_origins) {
  const std::string nonce = newNonce();
  const std::string heading = result.connected ? "Connected" : "Not connected";
  std::string detail = result.connected ? "You can close this window."
                                        : result.error_message + " (" + result.error_code + ")";
  std::string html =
      "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>keyhop: " + heading +
      "</title></head>\n<body><h1>" + heading + "</h1>\n<p>" + htmlEscaped(detail) + "</p>\n";
  if (!opener_origins.empty()) {
    html += "<script nonce=\"" + nonce +
            "\">\nif (window.opener) {\n  const message = " + message(result) + ";\n";
    for (const auto& origin : opener_origins) {
      html += "  window.opener.postMessage(message, " + scriptString(origin) + ");\n";
    }
    html += "}\n</script>\n";
  }
  html += "</body></html>\n";

  Response response = Response::text(status, std::move(html), "text/html; charset=utf-8");
  response.setHeader("Content-Security-Policy",
                     "default-src 'none'; script-src 'nonce-" + nonce + "'; base-uri 'none'");
  response.setHeader("Cache-Control", "no-store");
  response.setHeader("Referrer-Policy", "no-referrer");
  if (!result.connected) response.setHeader("Keyhop-Error", result.error_code);
  return response;
}

}  // namespace keyhop::server
