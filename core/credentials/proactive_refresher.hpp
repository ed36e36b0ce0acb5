#pragma once

// The proactive refresher: a background worker that renews access tokens before anyone needs
// them, so the proxy's hot path almost never waits on a token endpoint (docs/credentials.md).
//
// Every scan interval (less a random part of `jitter`, so instances sharing a database drift
// apart) one pass lists, page by page from the store:
// - active connections whose token expires within their provider's refresh.margin_s plus one
//   scan interval: they would enter the margin before the next pass;
// - at most hourly, for providers with refresh.keepalive_days, active connections not refreshed
//   (or created) for that long, so their refresh token does not lapse from disuse.
// Each goes to CredentialsEngine::renewAhead on one of `concurrency` threads: at most that many
// renewals are in flight, through the engine's single-flight (a caller of fresh() needing the
// same connection joins the run instead of starting another). A pass ends when its renewals
// have; the next starts an interval later. Tokens that never expire, and providers that do not
// renew tokens (oauth1, api_key, basic), are never listed or renewed.
//
// Failures are the engine's: it logs them, keeps the connection's token, and backs off. A store
// that cannot be read fails the pass (logged); the next interval tries again.
//
// The refresher's threads are its own: it never takes a server worker or reactor thread.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "core/credentials/credentials_engine.hpp"
#include "core/registry/registry.hpp"
#include "core/store/store.hpp"

namespace keyhop::credentials {

struct ProactiveOptions {
  std::chrono::milliseconds scan_interval{60000};  // from the end of one pass to the next
  // Each wait is shortened by a random part of this, the first pass delayed by one.
  std::chrono::milliseconds jitter{10000};
  std::size_t concurrency = 8;  // renewals in flight at once
  std::size_t page_size = 500;  // connections per store listing
  // Unix seconds, for due times; empty: the system clock. Tests move time with it.
  std::function<std::int64_t()> now;
};

struct ProactiveStats {
  std::uint64_t passes = 0;     // completed, failed ones included
  std::uint64_t renewed = 0;    // the engine answered a newer version
  std::uint64_t unchanged = 0;  // nothing to renew after all (renewed meanwhile, no refresh
                                // token, deleted)
  std::uint64_t failed = 0;     // the engine answered a failure
};

class ProactiveRefresher final {
 public:
  // `providers`, `store` and `engine` are owned by the caller and outlive the refresher.
  // Starts the threads; the first pass begins within `jitter`.
  ProactiveRefresher(const registry::Registry& providers, store::Store& store,
                     CredentialsEngine& engine, ProactiveOptions options = {});
  // stop().
  ~ProactiveRefresher();
  ProactiveRefresher(const ProactiveRefresher&) = delete;
  ProactiveRefresher& operator=(const ProactiveRefresher&) = delete;

  // Starts no further renewal, waits for those in flight (each bounded by the HTTP client's
  // timeouts; a rotated token is committed, not lost) and joins the threads. Idempotent.
  void stop();

  ProactiveStats stats() const;
  // For tests and benchmarks: waits until `passes` passes have completed; false on timeout.
  bool waitForPasses(std::uint64_t passes, std::chrono::milliseconds timeout) const;

 private:
  struct Task {
    store::ConnectionKey key;
    std::string connection_id;
    std::int64_t version = 0;
  };

  void scanLoop();
  void renewLoop();
  // One pass: lists what is due, hands it out, waits until it is renewed. Throws StoreError.
  void pass();
  // Hands `candidate` to a renewal thread, waiting while the queue is full; false on stop().
  bool enqueue(const store::RefreshCandidate& candidate);
  // Sleeps unless stop() comes first; false on stop().
  bool sleepFor(std::chrono::milliseconds duration);
  std::chrono::milliseconds jittered(std::chrono::milliseconds duration);

  const registry::Registry& providers_;
  store::Store& store_;
  CredentialsEngine& engine_;
  const ProactiveOptions options_;
  std::function<std::int64_t()> now_;
  std::mt19937_64 random_;                // the scan thread's alone
  std::int64_t next_keepalive_scan_ = 0;  // unix seconds; the scan thread's alone

  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;  // queue, in-flight count, passes or stopping moved
  std::deque<Task> queue_;
  std::size_t unfinished_ = 0;  // queued or being renewed
  bool stopping_ = false;
  ProactiveStats stats_;

  std::vector<std::thread> renewers_;
  std::thread scanner_;  // last: started once everything above is ready
};

}  // namespace keyhop::credentials
