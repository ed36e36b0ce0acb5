#include "core/vault/base64.hpp"

#include <catch2/catch.hpp>
#include <string>

using namespace keyhop::vault;

TEST_CASE("base64 encodes the RFC 4648 test vectors", "[vault]") {
  CHECK(encodeBase64("") == "");
  CHECK(encodeBase64("f") == "Zg==");
  CHECK(encodeBase64("fo") == "Zm8=");
  CHECK(encodeBase64("foo") == "Zm9v");
  CHECK(encodeBase64("foobar") == "Zm9vYmFy");
  CHECK(encodeBase64Url("f") == "Zg");
  CHECK(encodeBase64Url("fo") == "Zm8");
  CHECK(encodeBase64(std::string("\xfb\xff", 2)) == "+/8=");
  CHECK(encodeBase64Url(std::string("\xfb\xff", 2)) == "-_8");
}

TEST_CASE("base64 round-trips every length and byte value", "[vault]") {
  std::string bytes;
  for (int i = 0; i < 300; ++i) {
    CHECK(decodeBase64(encodeBase64(bytes)) == bytes);
    CHECK(decodeBase64Url(encodeBase64Url(bytes)) == bytes);
    bytes += static_cast<char>(i * 37);
  }
}

TEST_CASE("base64 decoding is strict", "[vault]") {
  CHECK(decodeBase64("Zg==") == std::string("f"));
  CHECK_FALSE(decodeBase64("Zg"));    // padding required
  CHECK_FALSE(decodeBase64("Zh=="));  // unused bits set: a second spelling of "f"
  CHECK_FALSE(decodeBase64("Zg=A"));
  CHECK_FALSE(decodeBase64("Z==="));
  CHECK_FALSE(decodeBase64("Zm9v\n"));
  CHECK_FALSE(decodeBase64("-_8="));  // URL alphabet
  CHECK(decodeBase64Url("Zg") == std::string("f"));
  CHECK_FALSE(decodeBase64Url("Zg=="));  // no padding
  CHECK_FALSE(decodeBase64Url("Zh"));
  CHECK_FALSE(decodeBase64Url("Zm9vY"));  // a lone final character is never whole bytes
  CHECK_FALSE(decodeBase64Url("+/8"));    // standard alphabet
}
