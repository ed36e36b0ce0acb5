#include "core/proxy/reactor_timer.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/StreamSocketImpl.h>
#include <sys/timerfd.h>
#include <unistd.h>

namespace keyhop::proxy {

ReactorTimer::ReactorTimer(net::EventLoop& loop) : loop_(loop) {
  const int fd = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (fd < 0) throw Poco::SystemException("cannot create the proxy's retry timer");
  timer_ = Poco::Net::StreamSocket(new Poco::Net::StreamSocketImpl(fd));
  loop_.watch(timer_.impl()->sockfd(), *this, true, false);
}

ReactorTimer::~ReactorTimer() { loop_.unwatch(timer_.impl()->sockfd()); }

ReactorTimer::Handle ReactorTimer::schedule(Clock::time_point deadline, Task task) {
  const Handle handle{deadline, next_id_++};
  tasks_.emplace(handle, std::move(task));
  arm();
  return handle;
}

void ReactorTimer::cancel(const Handle& handle) {
  // A wake-up armed for it still comes, finds nothing due and arms for the next.
  tasks_.erase(handle);
}

void ReactorTimer::arm() {
  if (tasks_.empty()) return;
  const Clock::time_point earliest = tasks_.begin()->first.first;
  if (armed_for_ && *armed_for_ <= earliest) return;  // that wake-up comes soon enough
  const auto since_boot = earliest.time_since_epoch();
  const auto whole = std::chrono::duration_cast<std::chrono::seconds>(since_boot);
  itimerspec when{};
  when.it_value.tv_sec = static_cast<time_t>(whole.count());
  when.it_value.tv_nsec = static_cast<long>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(since_boot - whole).count());
  if (when.it_value.tv_sec <= 0 && when.it_value.tv_nsec <= 0) {
    when.it_value.tv_nsec = 1;  // zero would disarm; this one is long past, so it fires at once
  }
  if (::timerfd_settime(timer_.impl()->sockfd(), TFD_TIMER_ABSTIME, &when, nullptr) != 0) {
    throw Poco::SystemException("cannot arm the proxy's retry timer");
  }
  armed_for_ = earliest;
}

void ReactorTimer::onReady(unsigned) {
  std::uint64_t expirations = 0;
  (void)::read(timer_.impl()->sockfd(), &expirations, sizeof expirations);
  armed_for_.reset();
  // What the tasks schedule comes due after `now`: at a later wake-up, so this loop ends.
  const Clock::time_point now = Clock::now();
  try {
    while (!tasks_.empty() && tasks_.begin()->first.first <= now) {
      auto due = tasks_.extract(tasks_.begin());
      due.mapped()();
    }
  } catch (...) {
    arm();  // the reactor reports the exception; the tasks still due run at the next turn
    throw;
  }
  arm();
}

}  // namespace keyhop::proxy
