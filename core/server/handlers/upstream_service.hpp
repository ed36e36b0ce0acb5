#pragma once

// The proxy's upstream connection pool as a reactor service: one pool per reactor thread, so
// a provider's socket is driven by the thread that serves the client it answers. Beside it, the
// reactor's timer, on which a request waits before it is retried (Keyhop-Retries).

#include "core/proxy/reactor_timer.hpp"
#include "core/proxy/upstream_pool.hpp"
#include "core/server/reactor_service.hpp"

namespace keyhop::server {

class UpstreamService final : public ReactorService {
 public:
  UpstreamService(net::EventLoop& loop, proxy::UpstreamOptions options)
      : pool_(loop, std::move(options)), timer_(loop) {}

  void tick(std::chrono::steady_clock::time_point now) override { pool_.checkTimeouts(now); }
  proxy::UpstreamPool& pool() { return pool_; }
  proxy::ReactorTimer& timer() { return timer_; }

 private:
  proxy::UpstreamPool pool_;
  proxy::ReactorTimer timer_;
};

// For ServerOptions::reactor_service.
inline ReactorServiceFactory upstreamServices(proxy::UpstreamOptions options) {
  return
      [options](net::EventLoop& loop) { return std::make_unique<UpstreamService>(loop, options); };
}

}  // namespace keyhop::server
