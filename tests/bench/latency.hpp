#pragma once

// Latency percentiles for the benchmarks (scripts/bench): nearest-rank percentiles of per-call
// durations, and throughput over the wall time of the whole run.

#include <cstddef>
#include <vector>

namespace keyhop::bench {

struct LatencySummary {
  std::size_t calls = 0;
  double p50_us = 0;
  double p90_us = 0;
  double p99_us = 0;
  double mean_us = 0;
  double max_us = 0;
  double calls_per_second = 0;  // calls / wall time: what concurrent callers got together
};

// `durations_us` holds one entry per call (sorted in place); `wall_seconds` is the time from
// the first call's start to the last call's end.
LatencySummary summarize(std::vector<double>& durations_us, double wall_seconds);

}  // namespace keyhop::bench
