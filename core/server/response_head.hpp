#pragma once

// Internal to the server: the status line and header block of a response.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/flows/http_text.hpp"
#include "core/server/http_message.hpp"

namespace keyhop::server {

enum class ConnectionToken { None, KeepAlive, Close };

// How the body after a head is delimited.
struct BodyFraming {
  enum class Kind { ContentLength, Chunked, UntilClose, None };
  Kind kind = Kind::ContentLength;
  std::uint64_t length = 0;      // ContentLength; also written for None when `announce_length`
  bool announce_length = false;  // None: a HEAD answer still names the length a GET would get
};

// Appends "HTTP/1.1 status reason" (`reason`, or the standard phrase when empty or unsafe), the
// headers except framing ones, and the framing headers of `framing` to `out`. A header that
// could split the response (CR, LF, a bad name) is dropped and logged.
void appendHead(std::string& out, int status, std::string_view reason,
                const flows::HeaderViews& headers, BodyFraming framing, ConnectionToken connection);

// Appends "HTTP/1.1 status reason", the response's headers and the server's framing
// (Content-Length of `response.body`, omitted for 204 and 304) to `out`. A handler's
// Content-Length, Transfer-Encoding and Connection headers are dropped (framing is the
// server's); a header that could split the response (CR, LF, a bad name) is dropped and logged.
void appendResponseHead(std::string& out, const Response& response, ConnectionToken connection);

// True when the response asks for the connection to be closed ("Connection: close").
bool asksToClose(const Response& response);

}  // namespace keyhop::server
