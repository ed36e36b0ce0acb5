#pragma once

// Internal to the server: what every reactor and connection of one HttpServer share. Owned by
// the HttpServer, which outlives its reactors and connections.

#include <Poco/Logger.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>

#include "core/server/reactor_service.hpp"
#include "core/server/router.hpp"
#include "core/server/worker_pool.hpp"

namespace keyhop::server {

// Counts open connections so a stopping server can wait for them to drain.
class ConnectionGauge final {
 public:
  void opened() { open_.fetch_add(1, std::memory_order_relaxed); }
  void closed() {
    if (open_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      std::lock_guard<std::mutex> lock(mutex_);
      zero_.notify_all();
    }
  }
  std::size_t open() const { return open_.load(std::memory_order_acquire); }
  // True when none is open by `deadline`.
  bool waitForNone(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock<std::mutex> lock(mutex_);
    return zero_.wait_until(lock, deadline, [this] { return open() == 0; });
  }

 private:
  std::atomic<std::size_t> open_{0};
  std::mutex mutex_;
  std::condition_variable zero_;
};

struct ServerContext {
  const Router& router;
  WorkerPool& workers;
  ConnectionGauge& gauge;
  Poco::Logger& log;
  std::size_t max_header_bytes;
  std::size_t max_body_bytes;
  std::chrono::milliseconds idle_timeout;
  const ReactorServiceFactory& reactor_service;
};

}  // namespace keyhop::server
