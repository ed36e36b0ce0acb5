#include "core/server/router.hpp"

#include <catch2/catch.hpp>
#include <stdexcept>

using keyhop::server::BodyMode;
using keyhop::server::Request;
using keyhop::server::Responder;
using keyhop::server::Response;
using keyhop::server::ResponseStream;
using keyhop::server::RouteMatch;
using keyhop::server::Router;
using keyhop::server::RunOn;

namespace {

Response ok(const Request&) { return Response::text(200, "ok"); }

const std::string& patternOf(const RouteMatch& match) {
  REQUIRE(match.outcome == RouteMatch::Outcome::Found);
  return match.route->pattern;
}

}  // namespace

TEST_CASE("Router captures decoded segments and a raw catch-all", "[server]") {
  Router router;
  router.add("GET", "/v1/providers/{id}", ok)
      .add("*", "/proxy/{integration}/{path...}", ok, RunOn::Reactor);

  auto match = router.match("GET", "/v1/providers/git%20hub");
  CHECK(patternOf(match) == "/v1/providers/{id}");
  CHECK(match.params.at("id") == "git hub");

  match = router.match("PATCH", "/proxy/slack/api/chat.postMessage/%2F..");
  CHECK(patternOf(match) == "/proxy/{integration}/{path...}");
  CHECK(match.route->run_on == RunOn::Reactor);
  CHECK(match.params.at("integration") == "slack");
  CHECK(match.params.at("path") == "api/chat.postMessage/%2F..");

  CHECK(router.match("GET", "/proxy/slack/").params.at("path").empty());
  CHECK(router.match("GET", "/proxy/slack").params.at("path").empty());
  CHECK(router.match("GET", "/proxy/").outcome == RouteMatch::Outcome::NotFound);
}

TEST_CASE("Router matches whole segments only", "[server]") {
  Router router;
  router.add("GET", "/v1/providers", ok).add("GET", "/v1/providers/{id}", ok).add("GET", "/", ok);
  CHECK(router.match("GET", "/").outcome == RouteMatch::Outcome::Found);
  CHECK(router.match("GET", "/v1/providers").outcome == RouteMatch::Outcome::Found);
  CHECK(router.match("GET", "/v1/providers/").outcome == RouteMatch::Outcome::NotFound);
  CHECK(router.match("GET", "/v1/providersx").outcome == RouteMatch::Outcome::NotFound);
  CHECK(router.match("GET", "/v1/providers/a/b").outcome == RouteMatch::Outcome::NotFound);
  CHECK(router.match("GET", "/v1/providers/%zz").outcome == RouteMatch::Outcome::NotFound);
  CHECK(router.match("GET", "v1/providers").outcome == RouteMatch::Outcome::NotFound);
}

TEST_CASE("Router prefers literals over captures over a catch-all", "[server]") {
  Router router;
  router.add("GET", "/a/{rest...}", ok)
      .add("GET", "/a/{id}", ok)
      .add("GET", "/a/special", ok)
      .add("GET", "/a", ok)
      .add("*", "/b/{id}", ok)
      .add("DELETE", "/b/{id}", ok);
  CHECK(patternOf(router.match("GET", "/a/special")) == "/a/special");
  CHECK(patternOf(router.match("GET", "/a/other")) == "/a/{id}");
  CHECK(patternOf(router.match("GET", "/a/x/y")) == "/a/{rest...}");
  CHECK(patternOf(router.match("GET", "/a")) == "/a");
  CHECK(router.match("DELETE", "/b/1").route->method == "DELETE");
  CHECK(router.match("GET", "/b/1").route->method == "*");
}

TEST_CASE("Router reports 405 with the allowed methods, HEAD falling back to GET", "[server]") {
  Router router;
  router.add("GET", "/x/{id}", ok).add("POST", "/x/{id}", ok).add("PUT", "/y", ok);
  const auto wrong = router.match("DELETE", "/x/1");
  CHECK(wrong.outcome == RouteMatch::Outcome::MethodNotAllowed);
  CHECK(wrong.allow == "GET, HEAD, POST");
  CHECK(router.match("DELETE", "/y").allow == "PUT");
  CHECK(router.match("HEAD", "/y").outcome == RouteMatch::Outcome::MethodNotAllowed);
  CHECK(router.match("get", "/x/1").outcome == RouteMatch::Outcome::MethodNotAllowed);

  const auto head = router.match("HEAD", "/x/1");
  CHECK(head.route->method == "GET");
  CHECK(head.params.at("id") == "1");

  router.add("*", "/z/{rest...}", ok).add("GET", "/z/exact", ok).add("HEAD", "/z/head", ok);
  CHECK(patternOf(router.match("HEAD", "/z/exact")) == "/z/exact");
  CHECK(router.match("HEAD", "/z/head").route->method == "HEAD");
  CHECK(router.match("HEAD", "/z/other").route->method == "*");
}

TEST_CASE("Router takes synchronous and asynchronous and streaming handlers", "[server]") {
  Router router;
  router.add("GET", "/sync", [](const Request&) { return Response::text(200, "s"); });
  router.add(
      "GET", "/async", [](Request&&, Responder respond) { respond(Response::text(200, "a")); },
      RunOn::Reactor);
  CHECK(std::holds_alternative<keyhop::server::SyncHandler>(
      router.match("GET", "/sync").route->handler));
  CHECK(std::holds_alternative<keyhop::server::AsyncHandler>(
      router.match("GET", "/async").route->handler));
  CHECK(router.match("GET", "/sync").route->run_on == RunOn::Worker);

  router.add(
      "POST", "/stream", [](Request&&, ResponseStream& stream) { stream.end(); },
      BodyMode::Streamed);
  const RouteMatch streamed = router.match("POST", "/stream");
  CHECK(std::holds_alternative<keyhop::server::StreamHandler>(streamed.route->handler));
  CHECK(streamed.route->run_on == RunOn::Reactor);  // a stream lives on its reactor thread
  CHECK(streamed.route->body == BodyMode::Streamed);
}

TEST_CASE("Router refuses malformed and duplicate routes at start-up", "[server]") {
  Router router;
  router.add("GET", "/v1/providers/{id}", ok);
  CHECK_THROWS_AS(router.add("GET", "/v1/providers/{other}", ok), std::invalid_argument);
  CHECK_NOTHROW(router.add("POST", "/v1/providers/{id}", ok));
  CHECK_NOTHROW(router.add("*", "/v1/providers/{id}", ok));
  CHECK_THROWS_AS(router.add("GET", "no-slash", ok), std::invalid_argument);
  CHECK_THROWS_AS(router.add("GET", "/a/{rest...}/b", ok), std::invalid_argument);
  CHECK_THROWS_AS(router.add("GET", "/a/{x}/{x}", ok), std::invalid_argument);
  CHECK_THROWS_AS(router.add("GET", "/a/{x", ok), std::invalid_argument);
  CHECK_THROWS_AS(router.add("GET", "/a/b{x}", ok), std::invalid_argument);
  CHECK_THROWS_AS(router.add("GET", "/a/{1x}", ok), std::invalid_argument);
  CHECK_THROWS_AS(router.add("GET", "/a?b", ok), std::invalid_argument);
  CHECK_THROWS_AS(router.add("GE T", "/a", ok), std::invalid_argument);
  CHECK_THROWS_AS(router.add("GET", "/a", keyhop::server::SyncHandler()), std::invalid_argument);
  CHECK_THROWS_WITH(router.add("GET", "/v1/providers/{x}", ok),
                    Catch::Contains("same method and shape as /v1/providers/{id}"));
}
