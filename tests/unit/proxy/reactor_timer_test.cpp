#include "core/proxy/reactor_timer.hpp"

#include <catch2/catch.hpp>
#include <future>
#include <thread>
#include <vector>

using keyhop::proxy::ReactorTimer;
using Clock = ReactorTimer::Clock;
using std::chrono::milliseconds;

TEST_CASE("The reactor timer runs tasks in deadline order, without waiting for the poll timeout",
          "[proxy]") {
  keyhop::net::EventLoop loop;
  ReactorTimer timer(loop);
  struct Ran {
    char name;
    Clock::time_point at;
  };
  std::vector<Ran> ran;  // the reactor's thread writes, this one reads after the join
  std::promise<void> done;
  const Clock::time_point start = Clock::now();
  timer.schedule(start + milliseconds(20), [&] {
    ran.push_back({'a', Clock::now()});
    timer.schedule(Clock::now() + milliseconds(10), [&] { ran.push_back({'b', Clock::now()}); });
  });
  const auto dropped = timer.schedule(start + milliseconds(40), [&] {
    ran.push_back({'x', Clock::now()});
  });
  timer.schedule(start + milliseconds(60), [&] {
    ran.push_back({'c', Clock::now()});
    loop.stop();
    done.set_value();
  });
  timer.cancel(dropped);

  // Waits far longer than any deadline: only the timer can end a wait in time.
  std::thread thread([&loop] {
    loop.run(
        std::chrono::seconds(10), [] {}, [](const std::exception&) {});
  });
  const bool finished =
      done.get_future().wait_for(std::chrono::seconds(5)) == std::future_status::ready;
  if (!finished) loop.stop();
  thread.join();
  REQUIRE(finished);
  REQUIRE(ran.size() == 3);
  CHECK(ran[0].name == 'a');
  CHECK(ran[1].name == 'b');
  CHECK(ran[2].name == 'c');
  CHECK(ran[0].at >= start + milliseconds(20));
  CHECK(ran[1].at >= ran[0].at + milliseconds(10));
  CHECK(ran[2].at >= start + milliseconds(60));
  CHECK(ran[2].at < start + milliseconds(2000));
}
