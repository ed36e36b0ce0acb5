#include "core/server/mailbox.hpp"

#include <Poco/Net/NetException.h>
#include <Poco/Net/StreamSocketImpl.h>
#include <sys/socket.h>

namespace keyhop::server {
namespace {

thread_local const Mailbox* current_owner = nullptr;

}  // namespace

Mailbox::Mailbox() {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0)
    throw Poco::Net::NetException("cannot create the reactor's wake-up socket pair");
  wake_read_ = Poco::Net::StreamSocket(new Poco::Net::StreamSocketImpl(fds[0]));
  wake_write_ = Poco::Net::StreamSocket(new Poco::Net::StreamSocketImpl(fds[1]));
}

bool Mailbox::post(Task task) {
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (closed_) return false;
    tasks_.push_back(std::move(task));
    wake = !wake_pending_;
    wake_pending_ = true;
  }
  if (wake) {
    const char byte = 1;
    // Cannot fill up: at most one byte is unread at a time.
    (void)::send(wake_write_.impl()->sockfd(), &byte, 1, MSG_NOSIGNAL | MSG_DONTWAIT);
  }
  return true;
}

void Mailbox::close() {
  std::vector<Task> dropped;
  std::lock_guard<std::mutex> lock(mutex_);
  closed_ = true;
  dropped.swap(tasks_);
}

std::vector<Mailbox::Task> Mailbox::take() {
  char bytes[64];
  while (::recv(wake_read_.impl()->sockfd(), bytes, sizeof bytes, MSG_DONTWAIT) > 0) {
  }
  std::vector<Task> tasks;
  std::lock_guard<std::mutex> lock(mutex_);
  tasks.swap(tasks_);
  wake_pending_ = false;
  return tasks;
}

void Mailbox::bindToCurrentThread() { current_owner = this; }

void Mailbox::unbindFromCurrentThread() { current_owner = nullptr; }

bool Mailbox::isOwnerThread() const { return current_owner == this; }

}  // namespace keyhop::server
