#include "core/flows/encoding.hpp"
#include "core/flows/pkce.hpp"
#include "core/flows/url_encoding.hpp"

#include <catch2/catch.hpp>

using namespace keyhop::flows;

TEST_CASE("percent and form encoding keep only unreserved characters", "[flows]") {
  CHECK(percentEncode("AZaz09-._~") == "AZaz09-._~");
  CHECK(percentEncode("a b/?&=%+\xc3\xa9") == "a%20b%2F%3F%26%3D%25%2B%C3%A9");
  CHECK(formEncode("a b+c") == "a+b%2Bc");
  CHECK(encodeForm({{"grant type", "a&b"}, {"x", ""}}) == "grant+type=a%26b&x=");
}

TEST_CASE("forms parse back, and a bad escape is refused", "[flows]") {
  const auto params = parseForm("a=1&b=x+y%21&c&&d=%C3%A9");
  REQUIRE(params);
  CHECK(*params == Params{{"a", "1"}, {"b", "x y!"}, {"c", ""}, {"d", "\xc3\xa9"}});
  CHECK_FALSE(parseForm("a=%4"));
  CHECK_FALSE(parseForm("a=%zz"));
  CHECK_FALSE(percentDecode("%", false));
}

TEST_CASE("appendQuery keeps an existing query and the fragment", "[flows]") {
  CHECK(appendQuery("https://x.example/a", {{"k", "v w"}}) == "https://x.example/a?k=v%20w");
  CHECK(appendQuery("https://x.example/a?p=1", {{"k", "v"}}) == "https://x.example/a?p=1&k=v");
  CHECK(appendQuery("https://x.example/a?", {{"k", "v"}}) == "https://x.example/a?k=v");
  CHECK(appendQuery("https://x.example/a#f", {{"k", "v"}}) == "https://x.example/a?k=v#f");
  CHECK(appendQuery("https://x.example/a", {}) == "https://x.example/a");
}

TEST_CASE("base64 and base64url follow RFC 4648", "[flows]") {
  CHECK(base64("Aladdin:open sesame") == "QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  CHECK(base64(std::string(100, 'x')).find('\n') == std::string::npos);
  CHECK(base64Url("\xfb\xff") == "-_8");
}

TEST_CASE("PKCE S256 matches RFC 7636 appendix B and makes fresh verifiers", "[flows]") {
  CHECK(pkceChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") ==
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  const Pkce first = makePkce();
  const Pkce second = makePkce();
  CHECK(first.verifier.size() == 43);
  CHECK(first.verifier.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                         "0123456789-_") == std::string::npos);
  CHECK(first.challenge == pkceChallenge(first.verifier));
  CHECK(first.verifier != second.verifier);
}
