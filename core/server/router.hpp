#pragma once

// The route table: every HTTP route keyhop serves, in one place. A pattern is literal segments
// and captures: "/v1/providers/{id}" captures one non-empty segment, percent-decoded;
// "/proxy/{integration}/{path...}" ends with a catch-all that captures the raw rest of the
// path (possibly empty, never decoded: the proxy forwards it as sent). Literal segments beat
// captures, captures beat a catch-all; an exact method beats "*" (any method). HEAD falls
// back to GET, the body is not sent.

#include <functional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/server/http_message.hpp"
#include "core/server/responder.hpp"
#include "core/server/response_stream.hpp"

namespace keyhop::server {

// Where a handler runs. Worker: on the worker pool, may block (store, token exchange).
// Reactor: inline on the connection's I/O thread; must never block, or every connection on
// that thread stalls.
enum class RunOn { Worker, Reactor };

// What happens to a request body larger than the server buffers (max_body_bytes). Buffered: it
// is refused with 413. Streamed: the handler gets it as Request::body_stream, as it arrives.
// Smaller bodies are always whole in Request::body.
enum class BodyMode { Buffered, Streamed };

using SyncHandler = std::function<Response(const Request&)>;
// Answers through the Responder, now or later, from any thread.
using AsyncHandler = std::function<void(Request&&, Responder)>;
// Answers through the stream, on the connection's reactor thread: called there (it must never
// block; what may block goes through ResponseStream::offload), it may answer at once or later,
// whole (ResponseStream::fail) or in pieces. The proxy's hot path: no responder to share, no
// hop between threads.
using StreamHandler = std::function<void(Request&&, ResponseStream&)>;

struct Route {
  std::string method;  // "*": any method
  std::string pattern;
  std::variant<SyncHandler, AsyncHandler, StreamHandler> handler;
  RunOn run_on = RunOn::Worker;
  BodyMode body = BodyMode::Buffered;
};

struct RouteMatch {
  enum class Outcome { Found, NotFound, MethodNotAllowed };
  Outcome outcome = Outcome::NotFound;
  const Route* route = nullptr;  // set when Found; owned by the router
  RouteParams params;            // set when Found
  std::string allow;             // set when MethodNotAllowed: "GET, HEAD"
};

class Router final {
 public:
  // Throws std::invalid_argument for a malformed method or pattern, or a route that would
  // shadow or duplicate one already added (same method, same shape): start-up errors.
  Router& add(std::string method, std::string pattern, SyncHandler handler,
              RunOn run_on = RunOn::Worker);
  Router& add(std::string method, std::string pattern, AsyncHandler handler,
              RunOn run_on = RunOn::Worker, BodyMode body = BodyMode::Buffered);
  Router& add(std::string method, std::string pattern, StreamHandler handler,
              BodyMode body = BodyMode::Buffered);

  // `path` is raw (undecoded, without the query).
  RouteMatch match(std::string_view method, std::string_view path) const;

 private:
  enum class SegmentKind { Literal, Capture, CatchAll };  // in order of precedence
  struct Segment {
    SegmentKind kind;
    std::string text;  // the literal, or the capture's name
  };

  Router& addRoute(Route route);
  static bool matches(const std::vector<Segment>& segments, std::string_view path,
                      RouteParams* params);

  std::vector<Route> routes_;
  std::vector<std::vector<Segment>> segments_;  // parallel to routes_
};

}  // namespace keyhop::server
