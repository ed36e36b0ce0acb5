#pragma once

// Internal to the server. Hands tasks to one reactor thread from any thread, waking it through
// a socket pair the reactor polls with its connections: a worker's response reaches its
// connection at once, not at the reactor's next poll timeout.

#include <Poco/Net/StreamSocket.h>

#include <functional>
#include <mutex>
#include <vector>

namespace keyhop::server {

class Mailbox final {
 public:
  using Task = std::function<void()>;

  Mailbox();  // throws Poco::Exception when no socket pair can be made (start-up)
  Mailbox(const Mailbox&) = delete;
  Mailbox& operator=(const Mailbox&) = delete;

  // Queues `task` for the owner thread; false (and `task` dropped) once closed.
  bool post(Task task);
  // Refuses later posts and drops queued tasks.
  void close();

  // The socket the owner polls for readability.
  const Poco::Net::StreamSocket& wakeSocket() const { return wake_read_; }
  // On the owner thread, when wakeSocket() is readable: the queued tasks, in order.
  std::vector<Task> take();

  // Called by the owner thread once it runs; from then on isOwnerThread() is true there.
  void bindToCurrentThread();
  void unbindFromCurrentThread();
  bool isOwnerThread() const;

 private:
  std::mutex mutex_;
  std::vector<Task> tasks_;
  bool wake_pending_ = false;  // a byte is in flight: later posts need not send another
  bool closed_ = false;
  Poco::Net::StreamSocket wake_read_;
  Poco::Net::StreamSocket wake_write_;
};

}  // namespace keyhop::server
