#include "core/server/responder.hpp"

#include <Poco/Logger.h>

#include <atomic>

namespace keyhop::server {

class Responder::State final {
 public:
  explicit State(Deliver deliver) : deliver_(std::move(deliver)) {}

  ~State() {
    if (called_.exchange(true)) return;
    Poco::Logger::get("keyhop.server").error("a handler dropped its responder without answering");
    try {
      deliver_(Response::error(500, "internal_error", "the request could not be completed"));
    } catch (...) {
      // Nothing left to tell: the connection is gone or the server is stopping.
    }
  }

  void call(Response&& response) {
    if (called_.exchange(true)) return;
    deliver_(std::move(response));
  }

 private:
  Deliver deliver_;
  std::atomic<bool> called_{false};
};

Responder::Responder(Deliver deliver) : state_(std::make_shared<State>(std::move(deliver))) {}

void Responder::operator()(Response response) const { state_->call(std::move(response)); }

}  // namespace keyhop::server
