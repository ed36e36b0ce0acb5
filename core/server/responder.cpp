#include "core/server/responder.hpp"

#include <Poco/Logger.h>

#include <atomic>

namespace keyhop::server {

class Responder::State final {
 public:
  State(Deliver deliver, DeliverStream deliver_stream)
      : deliver_(std::move(deliver)), deliver_stream_(std::move(deliver_stream)) {}

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

  void stream(StreamStart&& start) {
    if (called_.exchange(true)) return;
    if (deliver_stream_) {
      deliver_stream_(std::move(start));
    } else {
      deliver_(Response::error(500, "internal_error", "this server cannot stream responses"));
    }
  }

 private:
  Deliver deliver_;
  DeliverStream deliver_stream_;
  std::atomic<bool> called_{false};
};

Responder::Responder(Deliver deliver, DeliverStream deliver_stream)
    : state_(std::make_shared<State>(std::move(deliver), std::move(deliver_stream))) {}

void Responder::operator()(Response response) const { state_->call(std::move(response)); }

void Responder::stream(StreamStart start) const { state_->stream(std::move(start)); }

}  // namespace keyhop::server
