#include "tests/support/reactor_thread.hpp"

#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/StreamSocketImpl.h>
#include <sys/socket.h>

#include <cstdio>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace keyhop::test {

using Clock = std::chrono::steady_clock;

class ReactorThread::Loop final : private net::EventHandler {
 public:
  Loop() : next_tick_(Clock::now()) {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0) {
      throw std::runtime_error("socketpair failed");
    }
    wake_read_ = Poco::Net::StreamSocket(new Poco::Net::StreamSocketImpl(fds[0]));
    wake_write_ = Poco::Net::StreamSocket(new Poco::Net::StreamSocketImpl(fds[1]));
    loop_.watch(wake_read_.impl()->sockfd(), *this, true, false);
    thread_ = std::thread([this] {
      loop_.run(
          std::chrono::milliseconds(5), [this] { tick(); },
          [](const std::exception& e) {
            std::fprintf(stderr, "a reactor handler threw: %s\n", e.what());
          });
    });
  }

  ~Loop() {
    post([this] { loop_.stop(); });
    thread_.join();
    loop_.unwatch(wake_read_.impl()->sockfd());
  }

  net::EventLoop& loop() { return loop_; }

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

 private:
  void onReady(unsigned) override {
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

  net::EventLoop loop_;
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

net::EventLoop& ReactorThread::loop() { return loop_->loop(); }

void ReactorThread::post(std::function<void()> task) { loop_->post(std::move(task)); }

void ReactorThread::setTick(Tick tick) { loop_->setTick(std::move(tick)); }

}  // namespace keyhop::test
