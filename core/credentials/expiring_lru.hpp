#pragma once

// A bounded map whose entries also age out: the least recently used entry goes when it is
// full, and an entry older than `max_age` is not found. Thread-safe.

#include <chrono>
#include <cstddef>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

namespace keyhop::credentials {

template <typename Value>
class ExpiringLru final {
 public:
  using Clock = std::chrono::steady_clock;

  ExpiringLru(std::size_t capacity, Clock::duration max_age)
      : capacity_(capacity == 0 ? 1 : capacity), max_age_(max_age) {}

  std::optional<Value> find(const std::string& key) {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto it = index_.find(key);
    if (it == index_.end()) return std::nullopt;
    if (Clock::now() - it->second->stored_at > max_age_) {
      order_.erase(it->second);
      index_.erase(it);
      return std::nullopt;
    }
    order_.splice(order_.begin(), order_, it->second);
    return it->second->value;
  }

  // Stores `value` unless `keeps(current)` says the entry there now must stay (a newer version
  // of the same thing). Returns the value the map holds for `key` afterwards.
  Value put(const std::string& key, Value value,
            const std::function<bool(const Value& current)>& keeps = {}) {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto it = index_.find(key);
    if (it != index_.end()) {
      if (keeps && keeps(it->second->value)) return it->second->value;
      order_.erase(it->second);
      index_.erase(it);
    }
    order_.push_front(Entry{key, std::move(value), Clock::now()});
    index_.emplace(key, order_.begin());
    if (order_.size() > capacity_) {
      index_.erase(order_.back().key);
      order_.pop_back();
    }
    return order_.front().value;
  }

  void erase(const std::string& key) {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto it = index_.find(key);
    if (it == index_.end()) return;
    order_.erase(it->second);
    index_.erase(it);
  }

  std::size_t size() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return order_.size();
  }

 private:
  struct Entry {
    std::string key;
    Value value;
    Clock::time_point stored_at;
  };

  const std::size_t capacity_;
  const Clock::duration max_age_;
  mutable std::mutex mutex_;
  std::list<Entry> order_;  // most recently used first
  std::unordered_map<std::string, typename std::list<Entry>::iterator> index_;
};

}  // namespace keyhop::credentials
