#pragma once

#include <functional>
#include <memory>

#include "core/server/http_message.hpp"
#include "core/server/response_stream.hpp"

namespace keyhop::server {

// Answers one request of an asynchronous handler. Copyable; answer once, from any thread:
// later answers are ignored. If every copy is dropped without an answer, the client gets a
// 500, so a handler that forgets to answer never leaves a connection hanging.
class Responder final {
 public:
  using Deliver = std::function<void(Response&&)>;
  using StreamStart = std::function<void(ResponseStream&)>;
  using DeliverStream = std::function<void(StreamStart&&)>;

  // `deliver` (or `deliver_stream`) runs once, on the thread that answers (or drops the last
  // copy, which delivers a 500).
  explicit Responder(Deliver deliver, DeliverStream deliver_stream = {});

  // Answers with a whole response.
  void operator()(Response response) const;
  // Answers in pieces: `start` runs on the connection's reactor thread with the stream to send
  // them through; it is dropped if the connection is gone by then.
  void stream(StreamStart start) const;

 private:
  class State;
  std::shared_ptr<State> state_;
};

}  // namespace keyhop::server
