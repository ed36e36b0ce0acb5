#pragma once

// Internal to the server: the status line and header block of a response.

#include <string>

#include "core/server/http_message.hpp"

namespace keyhop::server {

enum class ConnectionToken { None, KeepAlive, Close };

// Appends "HTTP/1.1 status reason", the response's headers and the server's framing
// (Content-Length of `response.body`, omitted for 204 and 304) to `out`. A handler's
// Content-Length, Transfer-Encoding and Connection headers are dropped (framing is the
// server's); a header that could split the response (CR, LF, a bad name) is dropped and logged.
void appendResponseHead(std::string& out, const Response& response, ConnectionToken connection);

// True when the response asks for the connection to be closed ("Connection: close").
bool asksToClose(const Response& response);

}  // namespace keyhop::server
