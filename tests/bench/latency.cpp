#include "tests/bench/latency.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace keyhop::bench {
namespace {

// Nearest rank: the smallest value at or above `fraction` of the calls.
double percentile(const std::vector<double>& sorted, double fraction) {
  const auto rank = static_cast<std::size_t>(std::ceil(fraction * sorted.size()));
  return sorted[std::max<std::size_t>(rank, 1) - 1];
}

}  // namespace

LatencySummary summarize(std::vector<double>& durations_us, double wall_seconds) {
  LatencySummary summary;
  if (durations_us.empty()) return summary;
  std::sort(durations_us.begin(), durations_us.end());
  summary.calls = durations_us.size();
  summary.p50_us = percentile(durations_us, 0.50);
  summary.p90_us = percentile(durations_us, 0.90);
  summary.p99_us = percentile(durations_us, 0.99);
  summary.mean_us =
      std::accumulate(durations_us.begin(), durations_us.end(), 0.0) / durations_us.size();
  summary.max_us = durations_us.back();
  summary.calls_per_second = wall_seconds > 0 ? summary.calls / wall_seconds : 0;
  return summary;
}

}  // namespace keyhop::bench
