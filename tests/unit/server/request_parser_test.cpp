#include "core/server/request_parser.hpp"

#include <catch2/catch.hpp>
#include <string>

using keyhop::server::RequestParser;

TEST_CASE("RequestParser splits target, keeps headers and leaves a pipelined request", "[server]") {
  RequestParser parser(1024, 1024);
  const std::string input =
      "POST /v1/x%20y?a=1&b=2 HTTP/1.1\r\nHost: h\r\nX-A: 1\r\nx-a: 2\r\n"
      "Content-Length: 5\r\n\r\nhelloGET / HTTP/1.1\r\n\r\n";
  const std::size_t used = parser.feed(input.data(), input.size());
  REQUIRE(parser.done());
  CHECK(input.substr(used) == "GET / HTTP/1.1\r\n\r\n");
  CHECK(parser.keepAlive());
  const auto request = parser.take();
  CHECK(request.method == "POST");
  CHECK(request.target == "/v1/x%20y?a=1&b=2");
  CHECK(request.path == "/v1/x%20y");
  CHECK(request.query == "a=1&b=2");
  CHECK(request.body == "hello");
  REQUIRE(request.headers.size() == 4);
  CHECK(request.headers[1].name == "X-A");
  CHECK(request.headers[2].name == "x-a");
  CHECK(request.headers[2].value == "2");

  CHECK_FALSE(parser.done());
  parser.feed(input.data() + used, input.size() - used);
  REQUIRE(parser.done());
  CHECK(parser.take().path == "/");
}

TEST_CASE("RequestParser decodes a chunked body fed one byte at a time", "[server]") {
  RequestParser parser(1024, 1024);
  const std::string input =
      "PUT /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n"
      "0\r\n\r\n";
  std::string pending;
  for (const char c : input) {
    pending.push_back(c);
    pending.erase(0, parser.feed(pending.data(), pending.size()));
    REQUIRE_FALSE(parser.failed());
  }
  REQUIRE(parser.done());
  CHECK(pending.empty());
  CHECK(parser.take().body == "hello world");
}

TEST_CASE("RequestParser reports limits and malformed input", "[server]") {
  SECTION("header too large") {
    RequestParser parser(64, 1024);
    const std::string input = "GET / HTTP/1.1\r\nX-Long: " + std::string(100, 'a') + "\r\n\r\n";
    parser.feed(input.data(), input.size());
    REQUIRE(parser.failed());
    CHECK(parser.failure().status == 431);
  }
  SECTION("declared body too large") {
    RequestParser parser(1024, 10);
    const std::string input = "POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\nabc";
    // Stops after the header: the caller refuses the body or streams it.
    CHECK(parser.feed(input.data(), input.size()) == input.size() - 3);
    REQUIRE(parser.bodyOverBuffer());
    CHECK_FALSE(parser.failed());
    parser.refuseBody();
    REQUIRE(parser.failed());
    CHECK(parser.failure().status == 413);
    CHECK(parser.failure().code == "body_too_large");
  }
  SECTION("chunked body too large") {
    RequestParser parser(1024, 10);
    const std::string input =
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n6\r\nabcdef\r\n";
    parser.feed(input.data(), input.size());
    REQUIRE(parser.bodyOverBuffer());
    parser.refuseBody();
    CHECK(parser.failure().status == 413);
  }
  SECTION("a body exactly at the limit is buffered") {
    RequestParser parser(1024, 10);
    const std::string input =
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n0\r\n\r\n";
    parser.feed(input.data(), input.size());
    REQUIRE(parser.done());
    CHECK_FALSE(parser.bodyOverBuffer());
    CHECK(parser.take().body == "0123456789");
  }
  SECTION("garbage") {
    RequestParser parser(1024, 1024);
    const std::string input = "NOT HTTP AT ALL\r\n\r\n";
    parser.feed(input.data(), input.size());
    REQUIRE(parser.failed());
    CHECK(parser.failure().status == 400);
    CHECK(parser.failure().code == "bad_request");
  }
  SECTION("bad content length") {
    RequestParser parser(1024, 1024);
    const std::string input = "POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n";
    parser.feed(input.data(), input.size());
    REQUIRE(parser.failed());
    CHECK(parser.failure().status == 400);
  }
}

TEST_CASE("RequestParser reads keep-alive and Expect from the header", "[server]") {
  RequestParser parser(1024, 1024);
  std::string input = "POST / HTTP/1.1\r\nExpect: 100-Continue\r\nContent-Length: 3\r\n\r\n";
  parser.feed(input.data(), input.size());
  REQUIRE(parser.headerDone());
  CHECK_FALSE(parser.done());
  CHECK(parser.expectsContinue());
  parser.feed("abc", 3);
  REQUIRE(parser.done());
  parser.take();

  input = "GET / HTTP/1.0\r\n\r\n";
  parser.feed(input.data(), input.size());
  CHECK_FALSE(parser.keepAlive());
  CHECK(parser.version() == 10);
  parser.take();

  input = "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";
  parser.feed(input.data(), input.size());
  CHECK(parser.keepAlive());
  parser.take();

  input = "GET / HTTP/1.1\r\nConnection: close\r\n\r\n";
  parser.feed(input.data(), input.size());
  CHECK_FALSE(parser.keepAlive());
  CHECK(parser.version() == 11);
}

TEST_CASE("RequestParser streams a body over the limit in bounded pieces", "[server]") {
  RequestParser parser(1024, 16);
  constexpr std::size_t kSize = 1 << 20;
  std::string input = "PUT /big HTTP/1.1\r\nContent-Length: " + std::to_string(kSize) + "\r\n\r\n";
  const std::size_t head = input.size();
  for (std::size_t i = 0; i < kSize; ++i) input.push_back(static_cast<char>('a' + i % 26));
  input += "GET /next HTTP/1.1\r\n\r\n";

  std::size_t used = parser.feed(input.data(), input.size());
  CHECK(used == head);
  REQUIRE(parser.bodyOverBuffer());
  CHECK(parser.contentLength() == kSize);
  CHECK(parser.method() == "PUT");
  CHECK(parser.path() == "/big");
  parser.streamBody();
  CHECK_FALSE(parser.bodyOverBuffer());

  std::string body;
  std::size_t largest_piece = 0;
  while (!parser.done()) {
    const std::size_t n = parser.feed(input.data() + used, input.size() - used);
    used += n;
    const std::string piece = parser.takeBody();
    REQUIRE((n > 0 || !piece.empty()));
    largest_piece = std::max(largest_piece, piece.size());
    body += piece;
  }
  body += parser.takeBody();
  CHECK(body == input.substr(head, kSize));
  CHECK(largest_piece <= 64 * 1024);
  parser.reset();
  parser.feed(input.data() + used, input.size() - used);
  REQUIRE(parser.done());
  CHECK(parser.take().path == "/next");
}

TEST_CASE("RequestParser hands over a chunked body's buffered start when it streams", "[server]") {
  RequestParser parser(1024, 8);
  const std::string input =
      "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n6\r\nghijkl\r\n"
      "3\r\nmno\r\n0\r\n\r\n";
  std::size_t used = parser.feed(input.data(), input.size());
  REQUIRE(parser.bodyOverBuffer());
  CHECK_FALSE(parser.contentLength());
  parser.streamBody();
  std::string body = parser.takeBody();
  CHECK(body.size() > 8);
  while (!parser.done()) {
    used += parser.feed(input.data() + used, input.size() - used);
    body += parser.takeBody();
    REQUIRE_FALSE(parser.failed());
  }
  CHECK(used == input.size());
  CHECK(body == "abcdefghijklmno");
}
