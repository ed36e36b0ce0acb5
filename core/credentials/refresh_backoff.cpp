#include "core/credentials/refresh_backoff.hpp"

#include <algorithm>

namespace keyhop::credentials {

RefreshBackoff::RefreshBackoff(std::chrono::milliseconds initial, std::chrono::milliseconds max)
    : initial_(initial), max_(std::max(initial, max)) {}

std::chrono::milliseconds RefreshBackoff::remaining(const std::string& connection_id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto it = entries_.find(connection_id);
  if (it == entries_.end()) return std::chrono::milliseconds::zero();
  const auto left = it->second.retry_at - Clock::now();
  if (left <= Clock::duration::zero()) return std::chrono::milliseconds::zero();
  // Rounded up: a wait under a millisecond is still a wait.
  return std::chrono::ceil<std::chrono::milliseconds>(left);
}

void RefreshBackoff::failed(const std::string& connection_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  Entry& entry = entries_[connection_id];
  entry.failures = std::min(entry.failures + 1, 30);  // 2^30 * initial is past any max
  auto wait = initial_;
  for (int i = 1; i < entry.failures && wait < max_; ++i) wait *= 2;
  entry.retry_at = Clock::now() + std::min(wait, max_);
}

void RefreshBackoff::succeeded(const std::string& connection_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  entries_.erase(connection_id);
}

}  // namespace keyhop::credentials
