#include "core/credentials/single_flight.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <stdexcept>
#include <thread>
#include <vector>

using keyhop::credentials::SingleFlight;

TEST_CASE("SingleFlight runs concurrent work for one key once, other keys run apart",
          "[credentials]") {
  SingleFlight<int> flights;
  std::atomic<int> runs{0};
  std::atomic<int> waiting{0};
  const auto slow = [&] {
    ++runs;
    // Hold the run open until every other caller has had time to join it.
    while (waiting.load() < 20) std::this_thread::yield();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    return 42;
  };
  std::vector<int> results(20);
  std::vector<std::thread> callers;
  for (int i = 0; i < 20; ++i) {
    callers.emplace_back([&, i] {
      ++waiting;
      results[i] = flights.run("con_1", slow);
    });
  }
  for (auto& caller : callers) caller.join();
  CHECK(runs == 1);
  for (int result : results) CHECK(result == 42);

  CHECK(flights.run("con_2", [] { return 7; }) == 7);
  CHECK(flights.run("con_1", [] { return 8; }) == 8);  // a finished run is not reused
}

TEST_CASE("SingleFlight hands an exception to the caller and forgets the run", "[credentials]") {
  SingleFlight<int> flights;
  CHECK_THROWS_AS(flights.run("k", []() -> int { throw std::runtime_error("db down"); }),
                  std::runtime_error);
  CHECK(flights.run("k", [] { return 1; }) == 1);
}
