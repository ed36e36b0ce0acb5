#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "tests/integration/server_fixture.hpp"
#include "tests/integration/server_harness.hpp"

using keyhop::server::ServerOptions;
using keyhop::server::testing::get;
using keyhop::server::testing::post;
using keyhop::server::testing::RawClient;
using keyhop::server::testing::ServerFixture;
using Clock = std::chrono::steady_clock;

namespace {

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// `connections` clients each send `requests` requests one after another on one connection;
// returns how many got exactly the right answer.
int runClients(std::uint16_t port, int connections, int requests) {
  std::atomic<int> correct{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < connections; ++c) {
    clients.emplace_back([&, c] {
      try {
        RawClient client(port);
        for (int r = 0; r < requests; ++r) {
          const int kind = (c + r) % 4;
          const std::string id = std::to_string(c) + "-" + std::to_string(r);
          std::string request;
          std::string expected;
          if (kind == 0) {
            request = get("/hello");
            expected = "hello";
          } else if (kind == 1) {
            request = get("/work/" + id);
            expected = "worker " + id;
          } else if (kind == 2) {
            request = post("/body", id);
            expected = id;
          } else {
            request = get("/async-inline");
            expected = "inline /async-inline";
          }
          client.send(request);
          const auto response = client.read();
          if (response && response->status == 200 && response->body == expected) ++correct;
        }
      } catch (const std::exception&) {
        // Counted as missing answers.
      }
    });
  }
  for (auto& client : clients) client.join();
  return correct;
}

}  // namespace

TEST_CASE("many concurrent clients all get their own answers", "[server]") {
  ServerFixture fixture;
  CHECK(runClients(fixture.port(), 64, 50) == 64 * 50);
}

TEST_CASE("worker answers reach the client without waiting for a poll timeout", "[server]") {
  ServerOptions options = ServerFixture::defaultOptions();
  options.idle_timeout = std::chrono::seconds(60);  // the reactors poll every 250 ms
  ServerFixture fixture(options);
  RawClient client(fixture.port());
  const int requests = 200;
  const auto sequential = [&](const std::string& target) {
    const auto start = Clock::now();
    for (int i = 0; i < requests; ++i) {
      client.send(get(target));
      const auto response = client.read();
      REQUIRE(response);
      REQUIRE(response->status == 200);
    }
    return secondsSince(start);
  };
  const double worker = sequential("/work/1");
  const double reactor = sequential("/hello");
  // Woken only by the 250 ms poll timeout, each answer would wait 125 ms on average: 25 s in
  // all. A tenth of one poll timeout per request is far above what a wake-up costs.
  CHECK(worker < requests * 0.025);
  std::printf("[server] %d sequential requests: worker %.0f us each, reactor %.0f us each\n",
              requests, worker * 1e6 / requests, reactor * 1e6 / requests);
}

TEST_CASE("throughput printout (not an assertion)", "[server][bench]") {
  ServerFixture fixture;
  for (const char* target : {"/hello", "/work/1"}) {
    const int connections = 16;
    const int requests = 500;
    std::atomic<int> ok{0};
    const auto start = Clock::now();
    std::vector<std::thread> clients;
    for (int c = 0; c < connections; ++c) {
      clients.emplace_back([&] {
        RawClient client(fixture.port());
        for (int r = 0; r < requests; ++r) {
          client.send(get(target));
          const auto response = client.read();
          if (response && response->status == 200) ++ok;
        }
      });
    }
    for (auto& client : clients) client.join();
    const double elapsed = secondsSince(start);
    std::printf("[server] %s: %d requests over %d keep-alive connections in %.2f s: %.0f req/s\n",
                target, ok.load(), connections, elapsed, ok / elapsed);
    CHECK(ok == connections * requests);
  }
}
