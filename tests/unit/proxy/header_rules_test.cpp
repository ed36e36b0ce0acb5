#include "core/proxy/header_rules.hpp"

#include <catch2/catch.hpp>

using keyhop::HeaderList;
using keyhop::proxy::isHopByHop;
using keyhop::proxy::requestHeadersToForward;
using keyhop::proxy::responseHeadersToReturn;

namespace {

template <typename Headers>
std::vector<std::string> names(const Headers& headers) {
  std::vector<std::string> out;
  for (const auto& header : headers) out.emplace_back(header.name);
  return out;
}

}  // namespace

TEST_CASE("Request headers cross without hop-by-hop ones, keyhop's own, Host and Authorization",
          "[proxy]") {
  const HeaderList in = {{"Host", "keyhop.local"},
                         {"Authorization", "Bearer sk_x"},
                         {"Keyhop-User-Id", "u1"},
                         {"keyhop-retries", "2"},
                         {"Connection", "keep-alive, X-Private"},
                         {"Keep-Alive", "timeout=5"},
                         {"TE", "trailers"},
                         {"Trailer", "X-Sum"},
                         {"Transfer-Encoding", "chunked"},
                         {"Upgrade", "websocket"},
                         {"Proxy-Authorization", "Basic x"},
                         {"X-Private", "hop"},
                         {"Content-Length", "5"},
                         {"Content-Type", "application/json"},
                         {"Accept", "*/*"},
                         {"X-Custom", "1"},
                         {"X-Custom", "2"}};
  CHECK(names(requestHeadersToForward(in)) ==
        std::vector<std::string>{"Content-Type", "Accept", "X-Custom", "X-Custom"});
  CHECK(requestHeadersToForward(in)[3].value == "2");
}

TEST_CASE("Response headers cross without hop-by-hop ones, Set-Cookie repeats are kept",
          "[proxy]") {
  const HeaderList in = {
      {"Set-Cookie", "a=1"},       {"Connection", "close"},
      {"Set-Cookie", "b=2"},       {"Transfer-Encoding", "chunked"},
      {"Content-Length", "10"},    {"WWW-Authenticate", "Bearer"},
      {"Proxy-Authenticate", "x"}, {"Authorization", "kept: it is the provider's"}};
  CHECK(names(responseHeadersToReturn(keyhop::flows::viewsOf(in))) ==
        std::vector<std::string>{"Set-Cookie", "Set-Cookie", "WWW-Authenticate", "Authorization"});
}

TEST_CASE("Hop-by-hop names are matched without regard to case", "[proxy]") {
  const HeaderList none;
  CHECK(isHopByHop("connection", none));
  CHECK(isHopByHop("PROXY-CONNECTION", none));
  CHECK(isHopByHop("transfer-encoding", none));
  CHECK_FALSE(isHopByHop("Content-Type", none));
  CHECK(isHopByHop("x-listed", {{"Connection", "close,  X-Listed "}}));
}
