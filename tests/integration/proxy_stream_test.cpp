#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <fstream>
#include <thread>

#include "tests/integration/proxy_harness.hpp"

using keyhop::proxy::testing::kUser;
using keyhop::proxy::testing::ProxyFixture;

namespace {

// This process's resident set, in KiB, from /proc.
long residentKiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

// The highest resident set seen while it lives, sampled every few milliseconds.
class PeakResident {
 public:
  PeakResident() : peak_(residentKiB()), sampler_([this] { sample(); }) {}
  ~PeakResident() { stop(); }
  long stop() {
    running_ = false;
    if (sampler_.joinable()) sampler_.join();
    return peak_;
  }

 private:
  void sample() {
    while (running_) {
      peak_ = std::max(peak_.load(), residentKiB());
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  std::atomic<long> peak_;
  std::atomic<bool> running_{true};
  std::thread sampler_;
};

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
