#pragma once

#include <chrono>
#include <cstdint>

namespace keyhop::store {

// Seconds since the epoch: the unit of every time the store keeps.
inline std::int64_t unixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace keyhop::store
