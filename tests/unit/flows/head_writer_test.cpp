#include "core/flows/head_writer.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <string>

using keyhop::flows::HeadWriter;

TEST_CASE("a head is written after what the string held, and cut to what was put", "[flows]") {
  std::string out = "earlier";
  HeadWriter head(out, 200);
  head.put("HTTP/1.1 ");
  head.putNumber(404);
  head.put("\r\n");
  head.putLine("X-A", "1");
  head.putNumber(std::numeric_limits<std::int64_t>::min());
  head.putNumber(std::numeric_limits<std::uint64_t>::max());
  head.finish();
  CHECK(out == "earlierHTTP/1.1 404\r\nX-A: 1\r\n-922337203685477580818446744073709551615");
}

TEST_CASE("room is a hint: pieces that do not fit grow the string", "[flows]") {
  std::string out;
  HeadWriter head(out, 0);
  const std::string long_value(10'000, 'v');
  head.putLine("X-Long", long_value);
  head.putNumber(123456789);
  head.finish();
  CHECK(out == "X-Long: " + long_value + "\r\n123456789");
}
