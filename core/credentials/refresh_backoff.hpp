#pragma once

// After a refresh of a connection fails without breaking it (the provider is down, slow, or
// refused the client), the next attempt for that connection waits: initial, then twice as long
// after each further failure, up to max. A success clears it. Thread-safe.

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace keyhop::credentials {

class RefreshBackoff final {
 public:
  RefreshBackoff(std::chrono::milliseconds initial, std::chrono::milliseconds max);

  // How long until `connection_id` may be tried again; zero when it may be now.
  std::chrono::milliseconds remaining(const std::string& connection_id) const;
  void failed(const std::string& connection_id);
  void succeeded(const std::string& connection_id);

 private:
  using Clock = std::chrono::steady_clock;
  struct Entry {
    int failures = 0;
    Clock::time_point retry_at;
  };

  const std::chrono::milliseconds initial_;
  const std::chrono::milliseconds max_;
  mutable std::mutex mutex_;
  // Only connections whose last refresh failed: a success removes the entry.
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace keyhop::credentials
