#include "core/server/responder.hpp"

#include <catch2/catch.hpp>
#include <vector>

using keyhop::server::Responder;
using keyhop::server::Response;

TEST_CASE("Responder delivers once, later calls are ignored", "[server]") {
  std::vector<int> delivered;
  {
    Responder respond([&](Response&& r) { delivered.push_back(r.status); });
    Responder copy = respond;
    copy(Response::text(202, "a"));
    respond(Response::text(203, "b"));
  }
  CHECK(delivered == std::vector<int>{202});
}

TEST_CASE("Responder dropped unanswered delivers a 500 without detail", "[server]") {
  std::vector<Response> delivered;
  {
    Responder respond([&](Response&& r) { delivered.push_back(std::move(r)); });
  }
  REQUIRE(delivered.size() == 1);
  CHECK(delivered[0].status == 500);
  CHECK_THAT(delivered[0].body, Catch::StartsWith(R"({"error":{"code":"internal_error")"));
}
