#pragma once

// For the upstream pool's tests: a pool on a real reactor thread, and an observer that records
// what the pool delivers (on the reactor's thread) for the test's thread to check afterwards.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/proxy/upstream_pool.hpp"
#include "tests/support/reactor_thread.hpp"

namespace keyhop::proxy::testing {

inline UpstreamTarget targetFor(bool tls, const std::string& host, std::uint16_t port,
                                const std::string& path) {
  UpstreamOrigin origin;
  origin.tls = tls;
  origin.host = host;
  origin.port = port;
  origin.host_header = host + ":" + std::to_string(port);
  origin.url = std::string(tls ? "https://" : "http://") + origin.host_header;
  return UpstreamTarget{std::make_shared<const UpstreamOrigin>(std::move(origin)), path};
}

inline UpstreamTarget plainTarget(std::uint16_t port, const std::string& path) {
  return targetFor(false, "127.0.0.1", port, path);
}

// A request that owns what the pool's UpstreamRequest views, for a test to keep and change.
struct OwnedRequest {
  std::string method;
  std::string target;
  std::string host_header;
  HeaderList headers;
  std::string body;
  bool body_follows = false;
  std::optional<std::uint64_t> body_length;

  // Implicit, so a test passes request(...) straight to send(): the temporary outlives the call.
  operator UpstreamRequest() const {
    UpstreamRequest view;
    view.method = method;
    view.target = target;
    view.host_header = host_header;
    view.headers = &headers;
    view.body = body;
    view.body_follows = body_follows;
    view.body_length = body_length;
    return view;
  }
};

inline OwnedRequest request(std::string method, const UpstreamTarget& target,
                            HeaderList headers = {}, std::string body = {}) {
  return OwnedRequest{std::move(method),  target.target,   target.origin->host_header,
                      std::move(headers), std::move(body), false,
                      std::nullopt};
}

// The fake provider's pattern bodies: 'a'..'z' repeating from offset 0.
inline bool isPattern(std::string_view bytes, std::uint64_t offset) {
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] != static_cast<char>('a' + (offset + i) % 26)) return false;
  }
  return true;
}

class Recorder final : public UpstreamObserver {
 public:
  // Set before the exchange starts; they run on the reactor's thread.
  std::function<bool(std::string_view)> on_body;  // what onBody answers (default: true)
  std::function<void()> on_end;
  bool keep_body = true;

  void onHead(const UpstreamHeadView& received) override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (ended || failure) ++events_after_end;
    head = received.owned();
  }
  bool onBody(std::string_view bytes) override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (ended || failure) ++events_after_end;
      if (keep_body) body.append(bytes);
      if (!isPattern(bytes, body_bytes)) pattern_broken = true;
      body_bytes += bytes.size();
      pieces.push_back(bytes.size());
    }
    return on_body ? on_body(bytes) : true;
  }
  // The test may destroy the recorder once it is done: nothing touches it after the signal.
  void onEnd() override {
    if (on_end) on_end();
    std::lock_guard<std::mutex> lock(mutex_);
    if (ended || failure) ++events_after_end;
    ended = true;
    done_.notify_all();
  }
  void onFailure(const UpstreamFailure& received) override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (ended || failure) ++events_after_end;
    failure = received;
    done_.notify_all();
  }

  // True once onEnd or onFailure came, within `limit`.
  bool wait(std::chrono::milliseconds limit = std::chrono::seconds(5)) {
    std::unique_lock<std::mutex> lock(mutex_);
    return done_.wait_for(lock, limit, [&] { return ended || failure.has_value(); });
  }
  bool finished() {
    std::lock_guard<std::mutex> lock(mutex_);
    return ended || failure.has_value();
  }

  // Read on the test's thread after wait().
  std::optional<UpstreamHead> head;
  std::string body;
  std::uint64_t body_bytes = 0;
  bool pattern_broken = false;  // the body is not the fake's 'a'..'z' pattern
  std::vector<std::size_t> pieces;
  bool ended = false;
  std::optional<UpstreamFailure> failure;
  int events_after_end = 0;  // must stay 0

 private:
  std::mutex mutex_;
  std::condition_variable done_;
};

// A pool on its own reactor thread, its checkTimeouts called every 10 ms.
class PoolHarness final {
 public:
  explicit PoolHarness(UpstreamOptions options = {}) {
    pool = std::make_unique<UpstreamPool>(reactor.loop(), std::move(options));
    reactor.setTick([this](std::chrono::steady_clock::time_point now) {
      if (pool) pool->checkTimeouts(now);
    });
  }
  ~PoolHarness() {
    reactor.call([this] {
      pool.reset();
      return 0;
    });
  }

  std::shared_ptr<UpstreamExchange> send(const UpstreamTarget& target,
                                         const UpstreamRequest& outgoing,
                                         UpstreamObserver& observer) {
    return reactor.call([&] { return pool->send(target.origin, outgoing, observer); });
  }
  std::size_t open() {
    return reactor.call([this] { return pool->openConnections(); });
  }
  std::size_t idle() {
    return reactor.call([this] { return pool->idleConnections(); });
  }
  std::size_t resumedTlsSessions() {
    return reactor.call([this] { return pool->resumedTlsSessions(); });
  }
  // Waits up to `limit` for `condition`, evaluated on the reactor's thread.
  bool eventually(const std::function<bool(UpstreamPool&)>& condition,
                  std::chrono::milliseconds limit = std::chrono::seconds(2)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!reactor.call([&] { return condition(*pool); })) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
  }

  test::ReactorThread reactor;
  std::unique_ptr<UpstreamPool> pool;
};

}  // namespace keyhop::proxy::testing
