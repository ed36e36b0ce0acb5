#pragma once

// A request body too large to buffer, on a route that takes it streamed (Route::body): its
// bytes are handed over as they arrive and only as fast as the handler takes them, so memory
// stays bounded whatever the body's size. Every call on the request's reactor thread (a Reactor
// handler's own, or a ResponseStream's).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace keyhop::server {

class RequestBody {
 public:
  // Each piece, valid during the call; false: pause until resume() (the piece is taken either
  // way).
  using OnData = std::function<bool(std::string_view)>;
  // Once, at the end: empty when the body is complete, else why it never will be (the client
  // left, or sent malformed chunks).
  using OnEnd = std::function<void(const std::string& failure)>;

  virtual ~RequestBody() = default;

  // The length the client announced (Content-Length); empty for a chunked body.
  virtual std::optional<std::uint64_t> length() const = 0;
  // Starts delivery, once; pieces already received may be delivered before it returns.
  virtual void read(OnData on_data, OnEnd on_end) = 0;
  // Delivery goes on after on_data returned false.
  virtual void resume() = 0;
};

}  // namespace keyhop::server
