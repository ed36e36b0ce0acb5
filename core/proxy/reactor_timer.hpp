#pragma once

// Work for the reactor's thread at a given moment, without blocking it or a worker: how the
// proxy waits before retrying a request. The deadlines are kept in order here; a Linux timerfd,
// armed for the earliest one and polled by the reactor with its sockets, wakes the reactor
// when it passes. (The reactor's poll timeout, up to 250 ms, only paces idle sweeps: too coarse
// for a 100 ms backoff, and a deadline set during a dispatch would not shorten the poll in
// progress. A timer thread would need locking and a wake-up socket as well.)

#include <Poco/Net/StreamSocket.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <utility>

#include "core/net/event_loop.hpp"

namespace keyhop::proxy {

class ReactorTimer final : private net::EventHandler {
 public:
  using Clock = std::chrono::steady_clock;  // CLOCK_MONOTONIC, the timerfd's clock
  using Task = std::function<void()>;
  using Handle = std::pair<Clock::time_point, std::uint64_t>;

  // `loop` outlives this. Made and destroyed on the loop's thread. Throws
  // Poco::SystemException when no timerfd can be made (start-up).
  explicit ReactorTimer(net::EventLoop& loop);
  ~ReactorTimer();  // tasks not yet run are dropped
  ReactorTimer(const ReactorTimer&) = delete;
  ReactorTimer& operator=(const ReactorTimer&) = delete;

  // The reactor's thread only. Runs `task` there once `deadline` has passed, never from inside
  // this call; tasks due together run in deadline order.
  Handle schedule(Clock::time_point deadline, Task task);
  // The task will not run; nothing happens when it has run already.
  void cancel(const Handle& handle);

 private:
  // The timer has fired: the tasks now due run.
  void onReady(unsigned ready) override;
  void arm();

  net::EventLoop& loop_;
  Poco::Net::StreamSocket timer_;  // the timerfd, in a wrapper that closes it
  std::map<Handle, Task> tasks_;
  std::uint64_t next_id_ = 0;
  std::optional<Clock::time_point> armed_for_;
};

}  // namespace keyhop::proxy
