#include <Poco/Net/NetException.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <stdexcept>
#include <thread>
#include <vector>

#include "core/server/http_server.hpp"
#include "core/server/router.hpp"
#include "tests/integration/server_harness.hpp"

using keyhop::server::HttpServer;
using keyhop::server::Request;
using keyhop::server::Response;
using keyhop::server::Router;
using keyhop::server::RunOn;
using keyhop::server::ServerOptions;
using keyhop::server::testing::get;
using keyhop::server::testing::RawClient;
using keyhop::server::testing::RawResponse;
using Clock = std::chrono::steady_clock;

namespace {

// A route whose handler counts its entries, then blocks for `hold`.
struct BlockingRoutes {
  explicit BlockingRoutes(std::chrono::milliseconds hold) {
    router
        .add("GET", "/block",
             [this, hold](const Request&) {
               ++entered;
               std::this_thread::sleep_for(hold);
               finished_at = Clock::now();
               return Response::text(200, "done");
             })
        .add(
            "GET", "/hello", [](const Request&) { return Response::text(200, "hello"); },
            RunOn::Reactor);
  }

  bool waitForEntered(int count) {
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    while (entered < count && Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return entered >= count;
  }

  Router router;
  std::atomic<int> entered{0};
  std::atomic<Clock::time_point> finished_at{};
};

ServerOptions options(std::chrono::milliseconds stop_timeout) {
  ServerOptions result;
  result.reactor_threads = 2;
  result.worker_threads = 4;
  result.stop_timeout = stop_timeout;
  return result;
}

}  // namespace

TEST_CASE("stop lets requests in flight finish and closes idle connections", "[server]") {
  BlockingRoutes routes(std::chrono::milliseconds(300));
  HttpServer server(routes.router, options(std::chrono::seconds(10)));
  server.start();
  const auto port = server.port();

  RawClient idle(port);
  idle.send(get("/hello"));
  REQUIRE(idle.read());

  std::vector<std::future<std::optional<RawResponse>>> in_flight;
  for (int i = 0; i < 4; ++i) {
    in_flight.push_back(std::async(std::launch::async, [port] {
      RawClient client(port);
      client.send(get("/block"));
      return client.read();
    }));
  }
  REQUIRE(routes.waitForEntered(4));

  server.stop();
  for (auto& future : in_flight) {
    const auto response = future.get();
    REQUIRE(response);
    CHECK(response->status == 200);
    CHECK(response->body == "done");
    CHECK(response->header("Connection") == "close");
  }
  CHECK(idle.closedByServer());
  CHECK_THROWS_AS(RawClient(port), Poco::Net::ConnectionRefusedException);
  server.stop();  // idempotent
}

TEST_CASE("stop closes connections whose request outlives the stop timeout", "[server]") {
  BlockingRoutes routes(std::chrono::milliseconds(1500));
  HttpServer server(routes.router, options(std::chrono::milliseconds(100)));
  server.start();

  auto client = std::async(std::launch::async, [port = server.port()] {
    RawClient raw(port);
    raw.send(get("/block"));
    const bool answered = raw.read().has_value();
    return std::make_pair(answered, Clock::now());
  });
  REQUIRE(routes.waitForEntered(1));
  server.stop();  // returns once the blocked worker does

  const auto [answered, closed_at] = client.get();
  CHECK_FALSE(answered);
  CHECK(closed_at < routes.finished_at.load());  // closed at the bound, not when the handler ended
}

TEST_CASE("idle keep-alive connections are closed after the idle timeout", "[server]") {
  BlockingRoutes routes(std::chrono::milliseconds(0));
  ServerOptions opts = options(std::chrono::seconds(1));
  opts.idle_timeout = std::chrono::milliseconds(300);
  HttpServer server(routes.router, opts);
  server.start();

  RawClient busy(server.port());
  for (int i = 0; i < 8; ++i) {  // 800 ms of activity, never idle for 300 ms
    busy.send(get("/hello"));
    REQUIRE(busy.read());
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }

  RawClient idle(server.port());
  idle.send(get("/hello"));
  REQUIRE(idle.read());
  CHECK(idle.closedByServer());

  RawClient silent(server.port());  // connects and never sends
  CHECK(silent.closedByServer());
}

TEST_CASE("start reports the address it cannot bind and refuses a second call", "[server]") {
  Router router;
  HttpServer first(router, options(std::chrono::seconds(1)));
  first.start();
  CHECK(first.port() != 0);
  CHECK_THROWS_AS(first.start(), std::logic_error);

  ServerOptions taken = options(std::chrono::seconds(1));
  taken.port = first.port();
  HttpServer second(router, taken);
  CHECK_THROWS_WITH(second.start(), Catch::StartsWith("cannot listen on 127.0.0.1:" +
                                                      std::to_string(first.port())));
}
