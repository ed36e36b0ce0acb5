#pragma once

// Internal to the proxy. Work for the reactor's thread at the next turn of its loop rather than
// inside the call that asked for it, so an observer is never called back from within send() or
// resume(): the caller's own state is settled before its events come. The reactor is woken
// through a socket pair it polls, registered on first use from the reactor's thread.

#include <Poco/Net/StreamSocket.h>

#include <functional>
#include <vector>

#include "core/net/event_loop.hpp"

namespace keyhop::proxy {

class ReactorTasks final : private net::EventHandler {
 public:
  using Task = std::function<void()>;

  // `loop` outlives this. Throws Poco::Exception when no socket pair can be made (start-up).
  explicit ReactorTasks(net::EventLoop& loop);
  ~ReactorTasks();  // queued tasks are dropped
  ReactorTasks(const ReactorTasks&) = delete;
  ReactorTasks& operator=(const ReactorTasks&) = delete;

  // The reactor's thread only.
  void defer(Task task);

 private:
  // The wake-up socket is readable: the tasks run.
  void onReady(unsigned ready) override;
  void wake();

  net::EventLoop& loop_;
  Poco::Net::StreamSocket wake_read_;
  Poco::Net::StreamSocket wake_write_;
  bool registered_ = false;
  bool wake_pending_ = false;  // a byte is unread: more tasks need no other
  std::vector<Task> tasks_;
};

}  // namespace keyhop::proxy
