#include "core/server/response_head.hpp"

#include <catch2/catch.hpp>

using keyhop::server::appendResponseHead;
using keyhop::server::asksToClose;
using keyhop::server::ConnectionToken;
using keyhop::server::Response;

TEST_CASE("appendResponseHead frames the body itself", "[server]") {
  auto response = Response::json(201, "{}");
  response.headers.push_back({"Set-Cookie", "a=1"});
  response.headers.push_back({"Set-Cookie", "b=2"});
  response.headers.push_back({"Content-Length", "999"});
  response.headers.push_back({"Transfer-Encoding", "chunked"});
  std::string out;
  appendResponseHead(out, response, ConnectionToken::None);
  CHECK(out ==
        "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nSet-Cookie: a=1\r\n"
        "Set-Cookie: b=2\r\nContent-Length: 2\r\n\r\n");
}

TEST_CASE("appendResponseHead writes the connection token and a given reason", "[server]") {
  Response response;
  response.status = 299;
  response.reason = "Fine Indeed";
  std::string out;
  appendResponseHead(out, response, ConnectionToken::Close);
  CHECK(out == "HTTP/1.1 299 Fine Indeed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");

  out.clear();
  response.status = 204;
  response.reason.clear();
  appendResponseHead(out, response, ConnectionToken::KeepAlive);
  CHECK(out == "HTTP/1.1 204 No Content\r\nConnection: keep-alive\r\n\r\n");
}

TEST_CASE("appendResponseHead drops headers that could split the response", "[server]") {
  Response response;
  response.reason = "OK\r\nX-Evil: 1";
  response.headers = {{"X-Ok", "1"}, {"X-Bad", "a\r\nX-Evil: 1"}, {"Bad Name", "1"}, {"", "x"}};
  std::string out;
  appendResponseHead(out, response, ConnectionToken::None);
  CHECK(out == "HTTP/1.1 200 OK\r\nX-Ok: 1\r\nContent-Length: 0\r\n\r\n");
}

TEST_CASE("asksToClose reads the handler's Connection header", "[server]") {
  Response response;
  CHECK_FALSE(asksToClose(response));
  response.headers.push_back({"connection", "Close"});
  CHECK(asksToClose(response));
}
