#pragma once

// keyhop's event loop running on its own thread, for tests of code that lives on a reactor
// (the proxy's upstream pool): work is posted to it through a socket pair that wakes it at once,
// and a tick runs on it every few milliseconds (to call checkTimeouts, say).

#include <chrono>
#include <functional>
#include <future>
#include <memory>

#include "core/net/event_loop.hpp"

namespace keyhop::test {

class ReactorThread final {
 public:
  using Tick = std::function<void(std::chrono::steady_clock::time_point)>;

  ReactorThread();   // running before it returns
  ~ReactorThread();  // stops the loop and joins
  ReactorThread(const ReactorThread&) = delete;
  ReactorThread& operator=(const ReactorThread&) = delete;

  net::EventLoop& loop();

  // Any thread. Runs `task` on the reactor's thread at its next turn.
  void post(std::function<void()> task);
  // Any thread but the reactor's. Runs `task` there and returns its result (or rethrows).
  template <typename Task>
  auto call(Task task) -> decltype(task()) {
    std::packaged_task<decltype(task())()> packaged(std::move(task));
    auto result = packaged.get_future();
    post([&packaged] { packaged(); });
    return result.get();
  }
  // Any thread. `tick` runs on the reactor's thread about every 10 ms; empty: none.
  void setTick(Tick tick);

 private:
  class Loop;
  std::unique_ptr<Loop> loop_;
};

}  // namespace keyhop::test
