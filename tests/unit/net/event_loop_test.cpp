#include "core/net/event_loop.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

using keyhop::net::EventHandler;
using keyhop::net::EventLoop;
using std::chrono::milliseconds;

namespace {

// A connected pair of local stream sockets, closed at the end of the test.
struct SocketPair {
  int ends[2] = {-1, -1};
  SocketPair() {
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, ends) != 0) {
      throw std::runtime_error("socketpair failed");
    }
  }
  ~SocketPair() {
    for (const int fd : ends) {
      if (fd >= 0) ::close(fd);
    }
  }
  void closeEnd(int i) {
    ::close(ends[i]);
    ends[i] = -1;
  }
};

class Recorder final : public EventHandler {
 public:
  std::vector<unsigned> calls;
  std::function<void(unsigned)> then;
  void onReady(unsigned ready) override {
    calls.push_back(ready);
    if (then) then(ready);
  }
};

void runTurns(EventLoop& loop, int turns) {
  int done = 0;
  loop.run(
      milliseconds(20),
      [&] {
        if (++done == turns) loop.stop();
      },
      [](const std::exception& e) { FAIL(std::string("uncaught: ") + e.what()); });
}

}  // namespace

TEST_CASE("The event loop reports what a descriptor is ready for, as watched", "[net]") {
  EventLoop loop;
  SocketPair pair;
  Recorder handler;

  loop.watch(pair.ends[0], handler, true, false);
  runTurns(loop, 1);
  CHECK(handler.calls.empty());  // nothing to read yet

  REQUIRE(::write(pair.ends[1], "x", 1) == 1);
  runTurns(loop, 1);
  REQUIRE(handler.calls.size() == 1);
  CHECK(handler.calls[0] == keyhop::net::kReadable);

  handler.calls.clear();
  loop.watch(pair.ends[0], handler, true, true);  // changed, not added twice
  runTurns(loop, 1);
  REQUIRE(handler.calls.size() == 1);
  CHECK(handler.calls[0] == (keyhop::net::kReadable | keyhop::net::kWritable));

  handler.calls.clear();
  loop.watch(pair.ends[0], handler, false, false);
  runTurns(loop, 2);
  CHECK(handler.calls.empty());  // readable and writable, but neither is watched
}

TEST_CASE("The event loop reports a hang-up even when nothing is watched", "[net]") {
  EventLoop loop;
  SocketPair pair;
  Recorder handler;
  handler.then = [&](unsigned) { loop.unwatch(pair.ends[0]); };  // else reported every turn
  loop.watch(pair.ends[0], handler, false, false);
  pair.closeEnd(1);
  runTurns(loop, 2);
  REQUIRE(handler.calls.size() == 1);
  CHECK((handler.calls[0] & keyhop::net::kFailed) != 0);
}

TEST_CASE("A handler unwatched during a turn is not called for that turn's other events", "[net]") {
  EventLoop loop;
  SocketPair first;
  SocketPair second;
  Recorder a;
  Recorder b;
  // Whichever is called first unwatches the other, whose event was collected in the same turn.
  a.then = [&](unsigned) { loop.unwatch(second.ends[0]); };
  b.then = [&](unsigned) { loop.unwatch(first.ends[0]); };
  loop.watch(first.ends[0], a, true, false);
  loop.watch(second.ends[0], b, true, false);
  REQUIRE(::write(first.ends[1], "x", 1) == 1);
  REQUIRE(::write(second.ends[1], "y", 1) == 1);
  runTurns(loop, 1);
  CHECK(a.calls.size() + b.calls.size() == 1);
}

TEST_CASE("A handler that throws is reported and the loop goes on", "[net]") {
  EventLoop loop;
  SocketPair pair;
  Recorder handler;
  handler.then = [](unsigned) { throw std::runtime_error("handler broke"); };
  loop.watch(pair.ends[0], handler, true, false);
  REQUIRE(::write(pair.ends[1], "x", 1) == 1);
  std::vector<std::string> reported;
  int turns = 0;
  loop.run(
      milliseconds(20),
      [&] {
        if (++turns == 3) loop.stop();
      },
      [&](const std::exception& e) { reported.push_back(e.what()); });
  CHECK(reported == std::vector<std::string>(3, "handler broke"));  // level-triggered: each turn
}

TEST_CASE("Watching a descriptor that is not open is refused", "[net]") {
  EventLoop loop;
  Recorder handler;
  int fd = -1;
  {
    SocketPair pair;
    fd = pair.ends[0];
  }
  CHECK_THROWS_AS(loop.watch(fd, handler, true, false), std::system_error);
  CHECK_THROWS_AS(loop.watch(-1, handler, true, false), std::system_error);
  loop.unwatch(fd);  // never watched: nothing to do
}
