#pragma once

// The I/O loop under the server and the proxy: one epoll set driven by one thread. A handler is
// told straight from the kernel's event which of its descriptors is ready: no lookup map, no
// lock, no notification object. Poco's SocketReactor did all three per event and spent about a
// tenth of the proxy's user-space time per request on them (docs/server.md). The descriptors
// are still Poco's sockets; only the loop that waits on them is keyhop's.

#include <sys/epoll.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <vector>

namespace keyhop::net {

// What a descriptor is ready for; several bits at once.
enum Ready : unsigned {
  kReadable = 1,
  kWritable = 2,
  kFailed = 4,  // an error or a hang-up: reading or writing tells which
};

class EventHandler {
 public:
  // On the loop's thread. Level-triggered: called again while the descriptor stays ready.
  virtual void onReady(unsigned ready) = 0;

 protected:
  ~EventHandler() = default;
};

class EventLoop final {
 public:
  EventLoop();  // throws std::system_error when the kernel gives no epoll set
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // The loop's thread, or before run(): start or change watching `fd` for `handler`. With
  // neither read nor write, failures and hang-ups are still reported. Throws std::system_error
  // when the kernel refuses (a closed descriptor).
  void watch(int fd, EventHandler& handler, bool read, bool write);
  // Stops watching `fd` before it closes: its handler is not called again, even for an event
  // already collected in this turn.
  void unwatch(int fd);

  // Turns until stop(): waits up to `timeout` for events, dispatches them, then calls
  // `after_turn` (on a timeout too). A handler that throws is reported to `uncaught` and the
  // loop goes on.
  void run(std::chrono::milliseconds timeout, const std::function<void()>& after_turn,
           const std::function<void(const std::exception&)>& uncaught);
  // When the current turn's wait ended: read once per turn, as the handlers' timeouts need no
  // finer clock (a turn lasts microseconds to a few milliseconds) and a request read the clock
  // several times otherwise.
  std::chrono::steady_clock::time_point now() const { return now_; }

  // Any thread, while run() runs: the current turn is the last (from another thread, once its
  // wait ends).
  void stop() { stopping_.store(true, std::memory_order_relaxed); }

 private:
  struct Watch {
    EventHandler* handler = nullptr;
    std::uint32_t events = 0;
  };

  int epoll_fd_;
  std::vector<Watch> watches_;  // by descriptor
  std::array<epoll_event, 256> collected_{};
  std::chrono::steady_clock::time_point now_ = std::chrono::steady_clock::now();
  std::atomic<bool> stopping_{false};
};

}  // namespace keyhop::net
