#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/SHA2Engine.h>
#include <Poco/StreamCopier.h>

#include <catch2/catch.hpp>

#include "tests/integration/proxy_harness.hpp"
#include "tests/support/resident_memory.hpp"

using keyhop::proxy::testing::kUser;
using keyhop::proxy::testing::ProxyFixture;
using keyhop::test::PeakResident;
using keyhop::test::residentKiB;
using keyhop::server::testing::jsonObject;

namespace {

// Writes `size` bytes of a repeating pattern in 64 KiB pieces, as a client streaming a file
// would; returns their SHA-256 (hex).
std::string writePattern(std::ostream& out, std::size_t size) {
  std::string piece(64 * 1024, '\0');
  for (std::size_t i = 0; i < piece.size(); ++i) piece[i] = static_cast<char>('A' + i % 23);
  Poco::SHA2Engine digest(Poco::SHA2Engine::SHA_256);
  for (std::size_t sent = 0; sent < size && out;) {
    const std::size_t n = std::min(piece.size(), size - sent);
    out.write(piece.data(), static_cast<std::streamsize>(n));
    digest.update(piece.data(), n);
    sent += n;
  }
  out.flush();
  return Poco::DigestEngine::digestToHex(digest.digest());
}

Poco::Net::HTTPRequest proxyRequest(const ProxyFixture& f, const std::string& method,
                                    const std::string& path) {
  Poco::Net::HTTPRequest request(method, "/proxy/proxied/" + path,
                                 Poco::Net::HTTPMessage::HTTP_1_1);
  request.set("Authorization", "Bearer " + f.secretKey());
  request.set("Keyhop-User-Id", kUser);
  return request;
}

// Reads a raw answer up to the end of its head.
std::string readHead(Poco::Net::StreamSocket& socket) {
  std::string head;
  char c;
  while (head.find("\r\n\r\n") == std::string::npos && socket.receiveBytes(&c, 1) == 1) {
    head.push_back(c);
  }
  return head;
}

}  // namespace

TEST_CASE("A 100 MB answer streams through keyhop without being held", "[proxy]") {
  ProxyFixture f;
  constexpr std::size_t kSize = 100 * 1024 * 1024;
  const long before = residentKiB();
  PeakResident peak;

  // Read and drop, as a client that streams to disk would: the test holds none of it either.
  Poco::Net::HTTPClientSession session("127.0.0.1", f.api().port());
  session.setTimeout(Poco::Timespan(60, 0));
  Poco::Net::HTTPRequest request("GET", "/proxy/proxied/bytes/" + std::to_string(kSize),
                                 Poco::Net::HTTPMessage::HTTP_1_1);
  request.set("Authorization", "Bearer " + f.secretKey());
  request.set("Keyhop-User-Id", kUser);
  session.sendRequest(request);
  Poco::Net::HTTPResponse response;
  std::istream& body = session.receiveResponse(response);
  std::vector<char> piece(64 * 1024);
  std::size_t received = 0;
  while (body.read(piece.data(), static_cast<std::streamsize>(piece.size())) || body.gcount() > 0) {
    received += static_cast<std::size_t>(body.gcount());
  }
  const long growth = peak.stop() - before;

  CHECK(response.getStatus() == 200);
  CHECK(received == kSize);
  WARN("100 MB through the proxy: peak resident growth " << growth << " KiB");
  // keyhop, the fake provider and this client share the process: all three together stay far
  // below the body's size (the fake writes through a bounded stream buffer).
  CHECK(growth < 16 * 1024);
}

TEST_CASE("A 100 MB upload streams through keyhop to the provider without being held",
          "[proxy]") {
  ProxyFixture f;
  constexpr std::size_t kSize = 100 * 1024 * 1024;
  for (const bool chunked : {false, true}) {
    DYNAMIC_SECTION((chunked ? "chunked" : "with Content-Length")) {
      const long before = residentKiB();
      PeakResident peak;
      Poco::Net::HTTPClientSession session("127.0.0.1", f.api().port());
      session.setTimeout(Poco::Timespan(60, 0));
      auto request = proxyRequest(f, "PUT", "files/big?v=1");
      if (chunked) {
        request.setChunkedTransferEncoding(true);
      } else {
        request.setContentLength64(static_cast<Poco::Int64>(kSize));
      }
      const std::string sent_sha256 = writePattern(session.sendRequest(request), kSize);
      Poco::Net::HTTPResponse response;
      std::string body;
      Poco::StreamCopier::copyToString(session.receiveResponse(response), body);
      const long growth = peak.stop() - before;

      REQUIRE(response.getStatus() == 200);
      const auto echo = jsonObject(body);
      CHECK(echo->getValue<std::string>("method") == "PUT");
      CHECK(echo->getValue<std::uint64_t>("body_size") == kSize);
      CHECK(echo->getValue<std::string>("body_sha256") == sent_sha256);
      WARN("100 MB upload (" << (chunked ? "chunked" : "Content-Length")
                             << ") through the proxy: peak resident growth " << growth << " KiB");
      // keyhop, the fake provider (which hashes as it reads) and this client share the process.
      CHECK(growth < 16 * 1024);
    }
  }
}

TEST_CASE("Chunked request bodies reach the provider whole, buffered or streamed", "[proxy]") {
  ProxyFixture f;
  for (const std::size_t size : {std::size_t{0}, std::size_t{100000}, std::size_t{3000000}}) {
    INFO(size);
    Poco::Net::HTTPClientSession session("127.0.0.1", f.api().port());
    auto request = proxyRequest(f, "POST", "upload");
    request.setChunkedTransferEncoding(true);
    const std::string sent_sha256 = writePattern(session.sendRequest(request), size);
    Poco::Net::HTTPResponse response;
    std::string body;
    Poco::StreamCopier::copyToString(session.receiveResponse(response), body);
    REQUIRE(response.getStatus() == 200);
    CHECK(jsonObject(body)->getValue<std::uint64_t>("body_size") == size);
    CHECK(jsonObject(body)->getValue<std::string>("body_sha256") == sent_sha256);
  }
}

TEST_CASE("A large upload waits for keyhop's 100 Continue, then streams", "[proxy]") {
  ProxyFixture f;
  constexpr std::size_t kSize = 2 * 1024 * 1024;
  Poco::Net::StreamSocket socket(Poco::Net::SocketAddress("127.0.0.1", f.api().port()));
  socket.setReceiveTimeout(Poco::Timespan(10, 0));
  const std::string head = "POST /proxy/proxied/upload HTTP/1.1\r\nHost: keyhop\r\n"
                           "Authorization: Bearer " + f.secretKey() +
                           "\r\nKeyhop-User-Id: " + kUser +
                           "\r\nExpect: 100-continue\r\nConnection: close\r\n"
                           "Content-Length: " + std::to_string(kSize) + "\r\n\r\n";
  socket.sendBytes(head.data(), static_cast<int>(head.size()));
  CHECK(readHead(socket).rfind("HTTP/1.1 100 Continue\r\n", 0) == 0);

  const std::string body(kSize, 'z');
  for (std::size_t sent = 0; sent < body.size();) {
    sent += static_cast<std::size_t>(
        socket.sendBytes(body.data() + sent, static_cast<int>(body.size() - sent)));
  }
  const std::string answer = readHead(socket);
  CHECK(answer.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  std::string rest;
  char piece[4096];
  for (int n; (n = socket.receiveBytes(piece, sizeof piece)) > 0;) rest.append(piece, n);
  CHECK(jsonObject(rest)->getValue<std::uint64_t>("body_size") == kSize);
}

TEST_CASE("An upload the client abandons goes no further, and keyhop serves on", "[proxy]") {
  ProxyFixture f;
  {
    Poco::Net::StreamSocket socket(Poco::Net::SocketAddress("127.0.0.1", f.api().port()));
    const std::string head = "PUT /proxy/proxied/files/cut HTTP/1.1\r\nHost: keyhop\r\n"
                             "Authorization: Bearer " + f.secretKey() +
                             "\r\nKeyhop-User-Id: " + kUser +
                             "\r\nContent-Length: 10000000\r\n\r\n";
    socket.sendBytes(head.data(), static_cast<int>(head.size()));
    const std::string part(3000000, 'p');
    for (std::size_t sent = 0; sent < part.size();) {
      sent += static_cast<std::size_t>(
          socket.sendBytes(part.data() + sent, static_cast<int>(part.size() - sent)));
    }
  }  // closed with 7 MB unsent
  const auto after = f.call("POST", "echo", "small body");
  REQUIRE(after.status == 200);
  CHECK(jsonObject(after.body)->getValue<std::uint64_t>("body_size") == 10);
}
