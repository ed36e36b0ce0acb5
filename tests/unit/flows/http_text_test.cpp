#include "core/flows/http_text.hpp"

#include <catch2/catch.hpp>
#include <string>

using namespace keyhop::flows;

TEST_CASE("header names compare without regard to the case of letters only", "[flows]") {
  CHECK(equalsIgnoreCase("Content-Length", "content-LENGTH"));
  CHECK(equalsIgnoreCase("", ""));
  CHECK_FALSE(equalsIgnoreCase("Content-Length", "Content-Lengt"));
  CHECK_FALSE(equalsIgnoreCase("Content-Length", "Content_Length"));
  // Pairs whose bytes differ by the case bit alone, but are not letters.
  CHECK_FALSE(equalsIgnoreCase("@", "`"));
  CHECK_FALSE(equalsIgnoreCase("[", "{"));
  CHECK_FALSE(equalsIgnoreCase("^", "~"));
  CHECK_FALSE(equalsIgnoreCase("\x0d", "-"));
  CHECK_FALSE(equalsIgnoreCase("\xc1", "\xe1"));  // not ASCII: bytes as they are
  CHECK(startsWithIgnoreCase("proxy-authorization", "Proxy-"));
  CHECK_FALSE(startsWithIgnoreCase("Proxy", "Proxy-"));
}

TEST_CASE("tokens are RFC 9110's tchar, and line breaks are CR, LF or NUL", "[flows]") {
  CHECK(isToken("X-Custom_1.a!#$%&'*+^`|~"));
  CHECK_FALSE(isToken(""));
  static constexpr char kNotToken[] = " \t\"(),/:;<=>?@[\\]{}\x7f\x80\xff\0";
  for (const char c : std::string(kNotToken, sizeof kNotToken - 1)) {
    INFO(static_cast<int>(static_cast<unsigned char>(c)));
    CHECK_FALSE(isTokenChar(c));
  }
  CHECK(holdsLineBreak(std::string("a\0b", 3)));
  CHECK(holdsLineBreak("a\rb"));
  CHECK(holdsLineBreak("a\nb"));
  CHECK_FALSE(holdsLineBreak("a\tb c"));
}

TEST_CASE("a header list is viewed in order, repeats kept", "[flows]") {
  const keyhop::HeaderList headers = {{"A", "1"}, {"B", "2"}, {"A", "3"}};
  const HeaderViews views = viewsOf(headers);
  REQUIRE(views.size() == 3);
  CHECK(views[2].name == "A");
  CHECK(views[2].value == "3");
  CHECK(views[0].value.data() == headers[0].value.data());  // a view, not a copy
}
