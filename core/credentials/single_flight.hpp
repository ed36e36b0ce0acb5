#pragma once

// At most one run of a piece of work per key at a time, in this process: a caller that finds a
// run for its key in progress waits for that run and gets its result instead of starting
// another (Go's singleflight). It is what makes N concurrent callers needing a refresh of one
// connection cost one call to the provider's token endpoint.

#include <exception>
#include <future>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace keyhop::credentials {

template <typename Result>
class SingleFlight final {
 public:
  // Runs `work()` for `key`, or waits for the run already in progress and returns its result.
  // An exception from `work` reaches every caller of that run.
  template <typename Work>
  Result run(const std::string& key, Work&& work) {
    std::promise<Result> promise;
    std::shared_future<Result> running;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      const auto it = flights_.find(key);
      if (it != flights_.end()) {
        running = it->second;
      } else {
        flights_.emplace(key, promise.get_future().share());
      }
    }
    if (running.valid()) return running.get();
    try {
      Result result = std::forward<Work>(work)();
      land(key);
      promise.set_value(result);
      return result;
    } catch (...) {
      land(key);
      promise.set_exception(std::current_exception());
      throw;
    }
  }

 private:
  // A caller arriving after this starts a new run; the work has already left its result where
  // that run will find it (the cache and the store).
  void land(const std::string& key) {
    std::lock_guard<std::mutex> lock(mutex_);
    flights_.erase(key);
  }

  std::mutex mutex_;
  std::map<std::string, std::shared_future<Result>> flights_;
};

}  // namespace keyhop::credentials
