#include "core/server/http_message.hpp"

#include <catch2/catch.hpp>

using keyhop::server::jsonString;
using keyhop::server::percentDecode;
using keyhop::server::Request;
using keyhop::server::Response;

TEST_CASE("Request::header is case-insensitive and returns the first of repeats", "[server]") {
  Request request;
  request.headers = {{"Set-Cookie", "a=1"}, {"X-Id", "7"}, {"set-cookie", "b=2"}};
  REQUIRE(request.header("set-COOKIE") != nullptr);
  CHECK(*request.header("set-COOKIE") == "a=1");
  CHECK(*request.header("x-id") == "7");
  CHECK(request.header("X-Missing") == nullptr);
  CHECK(request.headers.size() == 3);
}

TEST_CASE("Request::queryParam decodes names and values", "[server]") {
  Request request;
  request.query = "session=a%2Bb&q=hello+world&flag&empty=&na%6De=x&bad=%zz";
  CHECK(request.queryParam("session") == std::optional<std::string>("a+b"));
  CHECK(request.queryParam("q") == std::optional<std::string>("hello world"));
  CHECK(request.queryParam("flag") == std::optional<std::string>(""));
  CHECK(request.queryParam("empty") == std::optional<std::string>(""));
  CHECK(request.queryParam("name") == std::optional<std::string>("x"));
  CHECK_FALSE(request.queryParam("bad").has_value());
  CHECK_FALSE(request.queryParam("missing").has_value());
}

TEST_CASE("percentDecode rejects malformed escapes", "[server]") {
  CHECK(percentDecode("a%20b%2f") == std::optional<std::string>("a b/"));
  CHECK(percentDecode("a+b") == std::optional<std::string>("a+b"));
  CHECK(percentDecode("a+b", true) == std::optional<std::string>("a b"));
  CHECK_FALSE(percentDecode("%").has_value());
  CHECK_FALSE(percentDecode("%2").has_value());
  CHECK_FALSE(percentDecode("%g0").has_value());
}

TEST_CASE("Response::error is the exact JSON error shape, escaped", "[server]") {
  const auto response = Response::error(404, "not_found", "no \"x\"\\ here\n\x01");
  CHECK(response.status == 404);
  REQUIRE(response.header("content-type") != nullptr);
  CHECK(*response.header("content-type") == "application/json");
  CHECK(response.body == R"({"error":{"code":"not_found","message":"no \"x\"\\ here\n\u0001"}})");
}

TEST_CASE("jsonString keeps UTF-8 and escapes control characters", "[server]") {
  CHECK(jsonString("caf\xc3\xa9\t") == "\"caf\xc3\xa9\\t\"");
  CHECK(jsonString(std::string("\0\x1f", 2)) == "\"\\u0000\\u001f\"");
}

TEST_CASE("Response::setHeader replaces every header of that name", "[server]") {
  auto response = Response::json(200, "{}");
  response.headers.push_back({"X-A", "1"});
  response.headers.push_back({"x-a", "2"});
  response.setHeader("X-a", "3");
  CHECK(response.headers.size() == 2);
  CHECK(*response.header("X-A") == "3");
  CHECK(Response::text(200, "ok").headers.front().value == "text/plain; charset=utf-8");
}
