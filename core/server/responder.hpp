#pragma once

#include <functional>
#include <memory>

#include "core/server/http_message.hpp"

namespace keyhop::server {

// Answers one request of an asynchronous handler. Copyable; answer once, from any thread:
// later answers are ignored. If every copy is dropped without an answer, the client gets a
// 500, so a handler that forgets to answer never leaves a connection hanging.
class Responder final {
 public:
  using Deliver = std::function<void(Response&&)>;

  // `deliver` runs once, on the thread that answers (or drops the last copy, which delivers a
  // 500).
  explicit Responder(Deliver deliver);

  void operator()(Response response) const;

 private:
  class State;
  std::shared_ptr<State> state_;
};

}  // namespace keyhop::server
