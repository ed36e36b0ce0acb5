#include "tests/bench/bench_run.hpp"

#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>

namespace keyhop::bench {

std::atomic<bool> interrupted{false};

namespace {

extern "C" void onSignal(int) { interrupted = true; }

}  // namespace

void checkInterrupted() {
  if (interrupted) throw Interrupted();
}

int benchMain(const char* name, const std::function<int()>& run) {
  std::signal(SIGINT, onSignal);
  std::signal(SIGTERM, onSignal);
  try {
    return run();
  } catch (const Interrupted&) {
    std::cerr << "interrupted; temp dirs removed\n";
    return 130;
  } catch (const std::exception& error) {
    std::cerr << name << " failed: " << error.what() << "\n";
    return 1;
  }
}

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string grouped(double value) {
  std::string digits = std::to_string(static_cast<long long>(value + 0.5));
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(i, ",");
  return digits;
}

std::string fixed(double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

std::size_t positiveCount(const std::string& text) {
  std::size_t used = 0;
  const unsigned long long value = std::stoull(text, &used);
  if (used != text.size() || value == 0) throw std::invalid_argument(text);
  return static_cast<std::size_t>(value);
}

void writeReport(const std::string& path, const std::string& markdown) {
  std::ofstream out(path);
  if (!(out << markdown).flush()) throw std::runtime_error("cannot write " + path);
}

}  // namespace keyhop::bench
