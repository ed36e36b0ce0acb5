#include "core/proxy/reactor_tasks.hpp"

#include <Poco/Net/NetException.h>
#include <Poco/Net/StreamSocketImpl.h>
#include <sys/socket.h>

#include <iterator>

namespace keyhop::proxy {

ReactorTasks::ReactorTasks(net::EventLoop& loop) : loop_(loop) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0) {
    throw Poco::Net::NetException("cannot create the upstream pool's wake-up socket pair");
  }
  wake_read_ = Poco::Net::StreamSocket(new Poco::Net::StreamSocketImpl(fds[0]));
  wake_write_ = Poco::Net::StreamSocket(new Poco::Net::StreamSocketImpl(fds[1]));
}

ReactorTasks::~ReactorTasks() {
  if (registered_) loop_.unwatch(wake_read_.impl()->sockfd());
}

void ReactorTasks::defer(Task task) {
  if (!registered_) {
    loop_.watch(wake_read_.impl()->sockfd(), *this, true, false);
    registered_ = true;
  }
  tasks_.push_back(std::move(task));
  wake();
}

void ReactorTasks::wake() {
  if (wake_pending_) return;
  wake_pending_ = true;
  const char byte = 1;
  // Cannot fill up: at most one byte is unread at a time.
  (void)::send(wake_write_.impl()->sockfd(), &byte, 1, MSG_NOSIGNAL | MSG_DONTWAIT);
}

void ReactorTasks::onReady(unsigned) {
  char bytes[16];
  while (::recv(wake_read_.impl()->sockfd(), bytes, sizeof bytes, MSG_DONTWAIT) > 0) {
  }
  wake_pending_ = false;
  std::vector<Task> batch;
  batch.swap(tasks_);
  for (std::size_t i = 0; i < batch.size(); ++i) {
    try {
      batch[i]();
    } catch (...) {
      // The reactor reports the exception; the tasks after it still run, at the next turn.
      tasks_.insert(tasks_.begin(), std::make_move_iterator(batch.begin() + i + 1),
                    std::make_move_iterator(batch.end()));
      if (!tasks_.empty()) wake();
      throw;
    }
  }
}

}  // namespace keyhop::proxy
