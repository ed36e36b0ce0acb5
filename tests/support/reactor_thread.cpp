#include "tests/support/reactor_thread.hpp"

#include <Poco/Net/SocketNotification.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/StreamSocketImpl.h>
#include <Poco/Observer.h>
#include <sys/socket.h>

#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace keyhop::test {

using Clock = std::chrono::steady_clock;

class ReactorThread::Loop final : public Poco::Net::SocketReactor {
 public:
  Loop()
      : Poco::Net::SocketReactor(Poco::Timespan(5 * 1000)),
        observer_(*this, &Loop::onWake),
        next_tick_(Clock::now()) {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0) {
      throw std::runtime_error("socketpair failed");
    }
    wake_read_ = Poco::Net::StreamSocket(new Poco::Net::StreamSocketImpl(fds[0]));
    wake_write_ = Poco::Net::StreamSocket(new Poco::Net::StreamSocketImpl(fds[1]));
    addEventHandler(wake_read_, observer_);
    thread_ = std::thread([this] { run(); });
  }

  ~Loop() override {
    post([this] { stop(); });
    thread_.join();
    removeEventHandler(wake_read_, observer_);
  }

  void post(std::function<void()> task) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      tasks_.push_back(std::move(task));
    }
    const char byte = 1;
    (void)::send(wake_write_.impl()->sockfd(), &byte, 1, MSG_NOSIGNAL | MSG_DONTWAIT);
  }

  void setTick(Tick tick) {
    std::lock_guard<std::mutex> lock(mutex_);
    tick_ = std::move(tick);
  }

 protected:
  void onBusy() override { tick(); }
  void onTimeout() override { tick(); }

 private:
  void onWake(Poco::Net::ReadableNotification* notification) {
    notification->release();
    char bytes[64];
    while (::recv(wake_read_.impl()->sockfd(), bytes, sizeof bytes, MSG_DONTWAIT) > 0) {
    }
    std::vector<std::function<void()>> tasks;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      tasks.swap(tasks_);
    }
    for (auto& task : tasks) task();
  }

  void tick() {
    const auto now = Clock::now();
    if (now < next_tick_) return;
    next_tick_ = now + std::chrono::milliseconds(10);
    Tick tick;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      tick = tick_;
    }
    if (tick) tick(now);
  }

  Poco::Observer<Loop, Poco::Net::ReadableNotification> observer_;
  Poco::Net::StreamSocket wake_read_;
  Poco::Net::StreamSocket wake_write_;
  std::mutex mutex_;
  std::vector<std::function<void()>> tasks_;
  Tick tick_;
  Clock::time_point next_tick_;
  std::thread thread_;
};

ReactorThread::ReactorThread() : loop_(std::make_unique<Loop>()) {}

ReactorThread::~ReactorThread() = default;

Poco::Net::SocketReactor& ReactorThread::reactor() { return *loop_; }

void ReactorThread::post(std::function<void()> task) { loop_->post(std::move(task)); }

void ReactorThread::setTick(Tick tick) { loop_->setTick(std::move(tick)); }

}  // namespace keyhop::test
