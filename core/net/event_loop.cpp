#include "core/net/event_loop.hpp"

#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace keyhop::net {
namespace {

std::uint32_t epollEvents(bool read, bool write) {
  return (read ? EPOLLIN : 0u) | (write ? EPOLLOUT : 0u);
}

unsigned readyBits(std::uint32_t events) {
  unsigned ready = 0;
  if (events & EPOLLIN) ready |= kReadable;
  if (events & EPOLLOUT) ready |= kWritable;
  if (events & (EPOLLERR | EPOLLHUP)) ready |= kFailed;
  return ready;
}

}  // namespace

EventLoop::EventLoop() : epoll_fd_(::epoll_create1(EPOLL_CLOEXEC)) {
  if (epoll_fd_ < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
}

EventLoop::~EventLoop() { ::close(epoll_fd_); }

void EventLoop::watch(int fd, EventHandler& handler, bool read, bool write) {
  if (fd < 0) throw std::system_error(EBADF, std::generic_category(), "epoll_ctl");
  const auto index = static_cast<std::size_t>(fd);
  if (index >= watches_.size()) watches_.resize(index + 64);
  Watch& current = watches_[index];
  const std::uint32_t events = epollEvents(read, write);
  if (current.handler != nullptr && current.events == events) {
    current.handler = &handler;
    return;
  }
  epoll_event event{};
  event.events = events;
  event.data.fd = fd;
  int done = ::epoll_ctl(epoll_fd_, current.handler != nullptr ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd,
                         &event);
  // Closed without unwatch and the number reused: the kernel forgot the old watch on close.
  if (done != 0 && errno == ENOENT) done = ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event);
  if (done != 0) throw std::system_error(errno, std::generic_category(), "epoll_ctl");
  current = Watch{&handler, events};
}

void EventLoop::unwatch(int fd) {
  if (fd < 0 || static_cast<std::size_t>(fd) >= watches_.size()) return;
  Watch& current = watches_[static_cast<std::size_t>(fd)];
  if (current.handler == nullptr) return;
  // ENOENT or EBADF: the descriptor is gone already, and with it the kernel's watch.
  (void)::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  current = Watch{};
}

void EventLoop::run(std::chrono::milliseconds timeout, const std::function<void()>& after_turn,
                    const std::function<void(const std::exception&)>& uncaught) {
  stopping_.store(false, std::memory_order_relaxed);
  const int timeout_ms = static_cast<int>(timeout.count());
  while (!stopping_.load(std::memory_order_relaxed)) {
    const int count =
        ::epoll_wait(epoll_fd_, collected_.data(), static_cast<int>(collected_.size()), timeout_ms);
    if (count < 0 && errno != EINTR) {
      throw std::system_error(errno, std::generic_category(), "epoll_wait");
    }
    now_ = std::chrono::steady_clock::now();
    for (int i = 0; i < count; ++i) {
      // Looked up now, not when collected: a handler that unwatched (or whose descriptor was
      // reused) during this turn is not called for what it no longer watches.
      const auto fd = static_cast<std::size_t>(collected_[static_cast<std::size_t>(i)].data.fd);
      if (fd >= watches_.size()) continue;
      const Watch& current = watches_[fd];
      if (current.handler == nullptr) continue;
      const unsigned ready = readyBits(collected_[static_cast<std::size_t>(i)].events &
                                       (current.events | EPOLLERR | EPOLLHUP));
      if (ready == 0) continue;
      try {
        current.handler->onReady(ready);
      } catch (const std::exception& e) {
        uncaught(e);
      }
    }
    try {
      after_turn();
    } catch (const std::exception& e) {
      uncaught(e);
    }
  }
}

}  // namespace keyhop::net
