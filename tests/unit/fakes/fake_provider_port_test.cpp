#include <catch2/catch.hpp>

#include "tests/fakes/fake_provider.hpp"

using namespace keyhop::fakes;

// scripts/run starts the demo fake on a fixed port: a second one there must fail, not share the
// port with the first (SO_REUSEPORT) and answer half of the requests with other clients.
TEST_CASE("a fake on a port already taken fails to start", "[fakes]") {
  const FakeProvider first;
  ServerParams same_port;
  same_port.port = first.port();
  CHECK_THROWS(FakeProvider({}, same_port));
}
