#pragma once

// What every benchmark program (scripts/bench) shares: Ctrl-C stops a run between steps (so
// throwaway clusters and temp dirs go away), its main(), number formats for the Markdown report
// and the report file.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>

namespace keyhop::bench {

// Set by SIGINT and SIGTERM once benchMain runs.
extern std::atomic<bool> interrupted;

struct Interrupted : std::runtime_error {
  Interrupted() : std::runtime_error("interrupted") {}
};

// Throws Interrupted once a signal came: call it between steps.
void checkInterrupted();

// Runs `run` with SIGINT and SIGTERM caught: its exit code, 130 when interrupted, 1 (the error
// on stderr, prefixed by `name`) when it threw.
int benchMain(const char* name, const std::function<int()>& run);

double secondsSince(std::chrono::steady_clock::time_point start);

// 1234567 -> "1,234,567" (rounded to a whole number).
std::string grouped(double value);
std::string fixed(double value, int decimals);

// A command-line count: a whole number above 0; throws std::invalid_argument otherwise.
std::size_t positiveCount(const std::string& text);

// Writes the report to `path`; throws std::runtime_error when it cannot.
void writeReport(const std::string& path, const std::string& markdown);

}  // namespace keyhop::bench
