#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <sstream>

#include "tests/integration/server_fixture.hpp"
#include "tests/integration/server_harness.hpp"

using keyhop::server::ServerOptions;
using keyhop::server::testing::exchange;
using keyhop::server::testing::get;
using keyhop::server::testing::LogCapture;
using keyhop::server::testing::post;
using keyhop::server::testing::RawClient;
using keyhop::server::testing::ServerFixture;

namespace {

struct PocoResult {
  int status;
  std::string body;
  std::string content_type;
};

PocoResult pocoRequest(Poco::Net::HTTPClientSession& session, const std::string& method,
                       const std::string& target, const std::string& body = "") {
  Poco::Net::HTTPRequest request(method, target, Poco::Net::HTTPMessage::HTTP_1_1);
  if (!body.empty()) request.setContentLength(static_cast<std::streamsize>(body.size()));
  session.sendRequest(request) << body;
  Poco::Net::HTTPResponse response;
  std::istream& in = session.receiveResponse(response);
  std::ostringstream out;
  Poco::StreamCopier::copyStream(in, out);
  return {response.getStatus(), out.str(), response.getContentType()};
}

}  // namespace

TEST_CASE("server runs reactor and worker handlers on their own threads", "[server]") {
  ServerFixture fixture;
  Poco::Net::HTTPClientSession session("127.0.0.1", fixture.port());
  session.setKeepAlive(true);

  auto result = pocoRequest(session, "GET", "/hello");
  CHECK(result.status == 200);
  CHECK(result.body == "hello");
  CHECK(result.content_type == "text/plain; charset=utf-8");

  result = pocoRequest(session, "GET", "/work/42");
  CHECK(result.status == 200);
  CHECK(result.body == "worker 42");

  const auto reactors = fixture.reactorThreads();
  const auto workers = fixture.workerThreads();
  REQUIRE(reactors.size() == 1);
  REQUIRE(workers.size() == 1);
  CHECK(*reactors.begin() != *workers.begin());
  CHECK(*reactors.begin() != std::this_thread::get_id());
}

TEST_CASE("server passes route params, catch-all, query and peer to handlers", "[server]") {
  ServerFixture fixture;
  const auto response =
      exchange(fixture.port(), "DELETE /echo/a%20b/x/%2F/y?q=1%2B1&z HTTP/1.1\r\nHost: t\r\n\r\n");
  REQUIRE(response);
  CHECK(response->status == 200);
  CHECK_THAT(response->body,
             Catch::StartsWith("DELETE a b [x/%2F/y] q=1+1 target=/echo/a%20b/x/%2F/y?q=1%2B1&z "
                               "from=127.0.0.1:"));
}

TEST_CASE("server answers unknown paths and methods with JSON errors", "[server]") {
  ServerFixture fixture;
  auto response = exchange(fixture.port(), get("/nowhere"));
  REQUIRE(response);
  CHECK(response->status == 404);
  CHECK(response->header("Content-Type") == "application/json");
  CHECK(response->body ==
        R"({"error":{"code":"not_found","message":"no route matches this path"}})");

  response = exchange(fixture.port(), post("/hello", "x"));
  REQUIRE(response);
  CHECK(response->status == 405);
  CHECK(response->header("Allow") == "GET, HEAD");
  CHECK_THAT(response->body, Catch::StartsWith(R"({"error":{"code":"method_not_allowed")"));
}

TEST_CASE("a throwing handler gives a 500 that does not leak the exception", "[server]") {
  LogCapture log;
  ServerFixture fixture;
  for (const std::string target : {"/throw", "/throw-reactor", "/async-throw", "/stream-throw"}) {
    RawClient client(fixture.port());
    client.send(get(target));
    const auto response = client.read();
    REQUIRE(response);
    CHECK(response->status == 500);
    CHECK_THAT(response->body, Catch::StartsWith(R"({"error":{"code":"internal_error")"));
    CHECK_THAT(response->body, !Catch::Contains("secret-token"));
    // The connection survives the handler's failure.
    client.send(get("/hello"));
    const auto next = client.read();
    REQUIRE(next);
    CHECK(next->body == "hello");
  }
  // The exception goes to the log, for the operator.
  const auto messages = log.messages();
  CHECK(std::count_if(messages.begin(), messages.end(), [](const std::string& m) {
          return m.find("GET /throw threw: secret-token-123 leaked") != std::string::npos;
        }) == 1);
}

TEST_CASE("a streaming handler answers in pieces or whole", "[server]") {
  ServerFixture fixture;
  RawClient client(fixture.port());
  client.send(get("/stream-pieces"));
  auto response = client.read();
  REQUIRE(response);
  CHECK(response->status == 201);
  CHECK(response->reason == "Made");
  CHECK(response->header("X-Pieces") == "2");
  CHECK(response->header("Content-Length") == "10");
  CHECK(response->body == "helloworld");

  client.send(get("/stream-whole"));  // on the same connection
  response = client.read();
  REQUIRE(response);
  CHECK(response->status == 418);
  CHECK(response->body == "whole");
}

TEST_CASE("asynchronous handlers answer inline, later or from a worker", "[server]") {
  ServerFixture fixture;
  RawClient client(fixture.port());
  client.send(get("/async-later"));
  auto response = client.read();
  REQUIRE(response);
  CHECK(response->body == "later /async-later");

  client.send(get("/async-inline"));
  response = client.read();
  REQUIRE(response);
  CHECK(response->status == 200);
  CHECK(response->body == "inline /async-inline");

  client.send(get("/async-worker"));
  response = client.read();
  REQUIRE(response);
  CHECK(response->status == 201);

  client.send(get("/async-drop"));
  response = client.read();
  REQUIRE(response);
  CHECK(response->status == 500);
  CHECK_THAT(response->body, Catch::StartsWith(R"({"error":{"code":"internal_error")"));
}

TEST_CASE("server keeps a connection alive across requests", "[server]") {
  ServerFixture fixture;
  RawClient client(fixture.port());
  std::string peer;
  for (int i = 0; i < 5; ++i) {
    client.send(get(i % 2 ? "/work/" + std::to_string(i) : "/echo/n/r"));
    const auto response = client.read();
    REQUIRE(response);
    CHECK(response->status == 200);
    CHECK_FALSE(response->hasHeader("Connection"));
    if (i % 2 == 0) {
      const std::string from = response->body.substr(response->body.find("from="));
      if (peer.empty()) peer = from;
      CHECK(from == peer);  // the same client port: the same connection
    }
  }
}

TEST_CASE("pipelined requests are answered in order", "[server]") {
  ServerFixture fixture;
  RawClient client(fixture.port());
  // A slow worker request first: the fast ones behind it must wait their turn.
  client.send(get("/sleep/50") + get("/hello") + get("/work/2") + get("/async-later") +
              post("/body", "pipelined") + get("/hello"));
  const std::vector<std::string> expected = {"slept 50",           "hello",     "worker 2",
                                             "later /async-later", "pipelined", "hello"};
  for (const auto& body : expected) {
    const auto response = client.read();
    REQUIRE(response);
    CHECK(response->body == body);
  }
}

TEST_CASE("server reads Content-Length and chunked bodies", "[server]") {
  ServerFixture fixture;
  RawClient client(fixture.port());
  client.send(post("/body", "hello world", "Content-Type: text/x-test\r\n"));
  auto response = client.read();
  REQUIRE(response);
  CHECK(response->body == "hello world");
  CHECK(response->header("X-Seen-Type") == "text/x-test");

  client.send(
      "POST /body HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
      "4\r\nchun\r\n");
  client.send("3;ext=1\r\nked\r\n0\r\nTrailer: x\r\n\r\n");
  response = client.read();
  REQUIRE(response);
  CHECK(response->body == "chunked");

  // A body split across many small writes.
  const std::string body(20000, 'b');
  const std::string request = post("/body", body);
  for (std::size_t i = 0; i < request.size(); i += 1000) client.send(request.substr(i, 1000));
  response = client.read();
  REQUIRE(response);
  CHECK(response->body == body);
}

TEST_CASE("server refuses oversized bodies and headers, then closes", "[server]") {
  ServerOptions options = ServerFixture::defaultOptions();
  options.max_body_bytes = 1000;
  options.max_header_bytes = 2048;
  ServerFixture fixture(options);

  SECTION("declared body too large, sent anyway") {
    RawClient client(fixture.port());
    client.send(post("/body", std::string(200000, 'x')));
    const auto response = client.read();
    REQUIRE(response);
    CHECK(response->status == 413);
    CHECK_THAT(response->body, Catch::StartsWith(R"({"error":{"code":"body_too_large")"));
    CHECK(response->header("Connection") == "close");
    CHECK(client.closedByServer());
  }
  SECTION("chunked body too large") {
    RawClient client(fixture.port());
    client.send("POST /body HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (int i = 0; i < 3; ++i) client.send("190\r\n" + std::string(400, 'c') + "\r\n");
    const auto response = client.read();
    REQUIRE(response);
    CHECK(response->status == 413);
  }
  SECTION("body at the limit is fine") {
    const auto response = exchange(fixture.port(), post("/body", std::string(1000, 'x')));
    REQUIRE(response);
    CHECK(response->status == 200);
  }
  SECTION("header too large") {
    const auto response =
        exchange(fixture.port(), get("/hello", "X-Big: " + std::string(4000, 'h') + "\r\n"));
    REQUIRE(response);
    CHECK(response->status == 431);
    CHECK_THAT(response->body, Catch::StartsWith(R"({"error":{"code":"header_too_large")"));
  }
}

TEST_CASE("a malformed request gets a 400 and the connection closes", "[server]") {
  ServerFixture fixture;
  for (const std::string garbage :
       {"HELLO\r\n\r\n", "GET /hello HTTP/x.1\r\n\r\n", "GET /hello HTTP/1.1\r\nBad Header\r\n\r\n",
        "POST /body HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
        "POST /body HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"}) {
    RawClient client(fixture.port());
    client.send(garbage);
    const auto response = client.read();
    REQUIRE(response);
    CHECK(response->status == 400);
    CHECK(response->body ==
          R"({"error":{"code":"bad_request","message":"malformed HTTP request"}})");
    CHECK(client.closedByServer());
  }
}

TEST_CASE("server answers Expect: 100-continue before the body", "[server]") {
  ServerOptions options = ServerFixture::defaultOptions();
  options.max_body_bytes = 1000;
  ServerFixture fixture(options);

  RawClient client(fixture.port());
  client.send(
      "POST /body HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
  auto interim = client.read();
  REQUIRE(interim);
  CHECK(interim->status == 100);
  client.send("hello");
  auto response = client.read();
  REQUIRE(response);
  CHECK(response->status == 200);
  CHECK(response->body == "hello");

  // Too large: refused at once, no 100.
  client.send(
      "POST /body HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5000\r\n\r\n");
  response = client.read();
  REQUIRE(response);
  CHECK(response->status == 413);
}

TEST_CASE("server honours HTTP/1.0 and Connection: close", "[server]") {
  ServerFixture fixture;
  SECTION("HTTP/1.0 closes after the response") {
    RawClient client(fixture.port());
    client.send("GET /hello HTTP/1.0\r\n\r\n");
    const auto response = client.read();
    REQUIRE(response);
    CHECK(response->body == "hello");
    CHECK(response->header("Connection") == "close");
    CHECK(client.closedByServer());
  }
  SECTION("HTTP/1.0 keep-alive is kept") {
    RawClient client(fixture.port());
    for (int i = 0; i < 2; ++i) {
      client.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
      const auto response = client.read();
      REQUIRE(response);
      CHECK(response->header("Connection") == "keep-alive");
    }
  }
  SECTION("the client's Connection: close") {
    RawClient client(fixture.port());
    client.send(get("/work/1", "Connection: close\r\n"));
    const auto response = client.read();
    REQUIRE(response);
    CHECK(response->body == "worker 1");
    CHECK(response->header("Connection") == "close");
    CHECK(client.closedByServer());
  }
  SECTION("the handler's Connection: close") {
    RawClient client(fixture.port());
    client.send(get("/status/200?close=1"));
    const auto response = client.read();
    REQUIRE(response);
    CHECK(response->header("Connection") == "close");
    CHECK(client.closedByServer());
  }
  SECTION("a client that half-closes still gets its answer") {
    RawClient client(fixture.port());
    client.send(get("/sleep/20"));
    client.shutdownSend();
    const auto response = client.read();
    REQUIRE(response);
    CHECK(response->body == "slept 20");
    CHECK(client.closedByServer());
  }
}

TEST_CASE("server frames responses itself", "[server]") {
  ServerFixture fixture;
  RawClient client(fixture.port());

  client.send("HEAD /hello HTTP/1.1\r\nHost: t\r\n\r\n");
  auto response = client.read(true);
  REQUIRE(response);
  CHECK(response->status == 200);
  CHECK(response->header("Content-Length") == "5");

  client.send(get("/status/204"));
  response = client.read();
  REQUIRE(response);
  CHECK(response->status == 204);
  CHECK_FALSE(response->hasHeader("Content-Length"));

  client.send(get("/status/42"));  // not a valid final status
  response = client.read();
  REQUIRE(response);
  CHECK(response->status == 500);

  client.send(get("/headers", "X-Multi: 1\r\nx-multi: 2\r\n"));
  response = client.read();
  REQUIRE(response);
  CHECK(response->body == "1;2;");
  int cookies = 0;
  for (const auto& header : response->headers) cookies += header.name == "Set-Cookie";
  CHECK(cookies == 2);

  // A body far larger than a socket buffer goes out in pieces.
  client.send(get("/big/5000000") + get("/hello"));
  response = client.read();
  REQUIRE(response);
  CHECK(response->body.size() == 5000000);
  response = client.read();
  REQUIRE(response);
  CHECK(response->body == "hello");
}
