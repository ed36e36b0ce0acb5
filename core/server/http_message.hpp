#pragma once

// keyhop's own request and response types. Handlers see only these, never a Poco or Beast
// class, so the server model underneath is one replaceable part.

#include <boost/container/flat_map.hpp>
#include <boost/container/small_vector.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/flows/http_text.hpp"
#include "core/server/request_body.hpp"
#include "keyhop/provider.hpp"

namespace keyhop::server {

// Route captures by name (see router.hpp). A route has one to three: kept in the request
// itself, where a std::map would allocate a node per capture on every request.
using RouteParams = boost::container::flat_map<
    std::string, std::string, std::less<>,
    boost::container::small_vector<std::pair<std::string, std::string>, 3>>;

struct Request {
  std::string method;  // as sent: "GET", "POST", ...
  std::string target;  // the raw request target: path and query, undecoded
  std::string path;    // raw, without the query
  std::string query;   // raw, without the '?'
  HeaderList headers;  // in arrival order, repeats kept
  std::string body;    // de-chunked
  // Instead of `body`, for a body larger than the server buffers on a route that takes it
  // streamed (Route::body); null otherwise.
  std::shared_ptr<RequestBody> body_stream;
  RouteParams params;          // route captures
  std::string remote_address;  // "host:port" of the peer

  // The first header of that name (case-insensitive), or null.
  const std::string* header(std::string_view name) const;
  // The first query parameter of that name, percent-decoded ('+' is a space); empty when
  // absent or not validly encoded.
  std::optional<std::string> queryParam(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string reason;  // empty: the standard phrase for the status
  HeaderList headers;  // Content-Length and Connection are the server's; any given are ignored
  std::string body;

  static Response json(int status, std::string body);
  static Response text(int status, std::string body,
                       std::string content_type = "text/plain; charset=utf-8");
  // {"error":{"code":"...","message":"..."}} with application/json. `message` is shown to the
  // client: never put a secret or an exception's text in it.
  static Response error(int status, std::string_view code, std::string_view message);

  // The first header of that name (case-insensitive), or null.
  const std::string* header(std::string_view name) const;
  // Replaces every header of that name with one.
  Response& setHeader(std::string_view name, std::string value);
};

using flows::equalsIgnoreCase;

// Decodes %XX escapes (and '+' as a space when `plus_is_space`); empty for a malformed escape.
std::optional<std::string> percentDecode(std::string_view text, bool plus_is_space = false);

// `text` as a JSON string literal, quotes included.
std::string jsonString(std::string_view text);

}  // namespace keyhop::server
