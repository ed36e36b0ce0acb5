#pragma once

// This process's memory, for tests that show a body streams instead of being held.

#include <atomic>
#include <thread>

namespace keyhop::test {

// The resident set, in KiB, from /proc/self/status.
long residentKiB();

// The highest resident set seen while it lives, sampled every few milliseconds.
class PeakResident {
 public:
  PeakResident();
  ~PeakResident();
  PeakResident(const PeakResident&) = delete;
  PeakResident& operator=(const PeakResident&) = delete;

  // Stops sampling; the peak, in KiB.
  long stop();

 private:
  void sample();

  std::atomic<long> peak_;
  std::atomic<bool> running_{true};
  std::thread sampler_;
};

}  // namespace keyhop::test
