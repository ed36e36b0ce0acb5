#pragma once

// Internal to the proxy. Work for the reactor's thread at the next turn of its loop rather than
// inside the call that asked for it, so an observer is never called back from within send() or
// resume(): the caller's own state is settled before its events come. The reactor is woken
// through a socket pair it polls, registered on first use from the reactor's thread.

#include <Poco/Net/SocketNotification.h>
#include <Poco/Net/SocketReactor.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Observer.h>

#include <functional>
#include <vector>

namespace keyhop::proxy {

class ReactorTasks final {
 public:
  using Task = std::function<void()>;

  // `reactor` outlives this. Throws Poco::Exception when no socket pair can be made (start-up).
  explicit ReactorTasks(Poco::Net::SocketReactor& reactor);
  ~ReactorTasks();  // queued tasks are dropped
  ReactorTasks(const ReactorTasks&) = delete;
  ReactorTasks& operator=(const ReactorTasks&) = delete;

  // The reactor's thread only.
  void defer(Task task);

 private:
  void onReadable(Poco::Net::ReadableNotification* notification);
  void wake();

  Poco::Net::SocketReactor& reactor_;
  Poco::Net::StreamSocket wake_read_;
  Poco::Net::StreamSocket wake_write_;
  Poco::Observer<ReactorTasks, Poco::Net::ReadableNotification> observer_;
  bool registered_ = false;
  bool wake_pending_ = false;  // a byte is unread: more tasks need no other
  std::vector<Task> tasks_;
};

}  // namespace keyhop::proxy
