#pragma once

// Internal to the server. Threads for the handlers that may block, so the reactor threads
// never do.

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace keyhop::server {

class WorkerPool final {
 public:
  explicit WorkerPool(unsigned threads);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Runs `task` on a worker, first come first served. After stop() the task is dropped.
  void submit(std::function<void()> task);

  // Drops the tasks not yet started and waits for the running ones. Idempotent.
  void stop();

 private:
  void run();

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace keyhop::server
