#include "tests/support/resident_memory.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <string>

namespace keyhop::test {

long residentKiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

PeakResident::PeakResident() : peak_(residentKiB()), sampler_([this] { sample(); }) {}

PeakResident::~PeakResident() { stop(); }

long PeakResident::stop() {
  running_ = false;
  if (sampler_.joinable()) sampler_.join();
  return peak_;
}

void PeakResident::sample() {
  while (running_) {
    peak_ = std::max(peak_.load(), residentKiB());
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace keyhop::test
