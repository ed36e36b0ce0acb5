#pragma once

#include <functional>
#include <memory>

#include "core/server/http_message.hpp"

namespace keyhop::server {

// Answers one request of an asynchronous handler. Copyable; call it once, from any thread:
// later calls are ignored. If every copy is dropped without a call, the client gets a 500, so
// a handler that forgets to answer never leaves a connection hanging.
class Responder final {
 public:
  using Deliver = std::function<void(Response&&)>;

  // `deliver` runs once, on the thread that calls the responder (or drops its last copy).
  explicit Responder(Deliver deliver);

  void operator()(Response response) const;

 private:
  class State;
  std::shared_ptr<State> state_;
};

}  // namespace keyhop::server
