#include "core/server/worker_pool.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <thread>

using keyhop::server::WorkerPool;

TEST_CASE("WorkerPool runs tasks in parallel and survives a throwing one", "[server]") {
  WorkerPool pool(2);
  std::promise<void> both_started;
  std::atomic<int> started{0};
  std::promise<void> release;
  auto released = release.get_future().share();
  for (int i = 0; i < 2; ++i) {
    pool.submit([&, released] {
      if (++started == 2) both_started.set_value();
      released.wait();
    });
  }
  // Two tasks blocked at once means two threads.
  CHECK(both_started.get_future().wait_for(std::chrono::seconds(5)) == std::future_status::ready);
  release.set_value();
  pool.submit([] { throw std::runtime_error("boom"); });
  std::promise<void> after;
  pool.submit([&] { after.set_value(); });
  CHECK(after.get_future().wait_for(std::chrono::seconds(5)) == std::future_status::ready);
}

TEST_CASE("WorkerPool::stop drops queued tasks and finishes running ones", "[server]") {
  WorkerPool pool(1);
  std::promise<void> running;
  std::atomic<bool> finished{false};
  std::atomic<bool> dropped_ran{false};
  pool.submit([&] {
    running.set_value();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    finished = true;
  });
  pool.submit([&] { dropped_ran = true; });
  running.get_future().wait();
  pool.stop();
  CHECK(finished);
  CHECK_FALSE(dropped_ran);
  pool.submit([&] { dropped_ran = true; });
  pool.stop();
  CHECK_FALSE(dropped_ran);
}
