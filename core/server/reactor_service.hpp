#pragma once

// Something that lives on one reactor thread beside its connections and needs the reactor's
// loop: the proxy's upstream connection pool, one per reactor so its sockets are driven by the
// same thread as the clients they serve. The server knows only this interface.

#include <chrono>
#include <functional>
#include <memory>

#include "core/net/event_loop.hpp"

namespace keyhop::server {

class ReactorService {
 public:
  virtual ~ReactorService() = default;  // runs on the reactor's thread, before it ends
  // Now and then on the reactor's thread (about every poll timeout): time things out.
  virtual void tick(std::chrono::steady_clock::time_point now) = 0;
};

// Made once per reactor, on its thread, when the server starts.
using ReactorServiceFactory = std::function<std::unique_ptr<ReactorService>(net::EventLoop& loop)>;

}  // namespace keyhop::server
