#include "tests/fakes/oauth1_signature.hpp"

#include <catch2/catch.hpp>

namespace oauth1 = keyhop::fakes::oauth1;

TEST_CASE("percentEncode keeps only RFC 3986 unreserved characters", "[fakes]") {
  CHECK(oauth1::percentEncode("AZaz09-._~") == "AZaz09-._~");
  CHECK(oauth1::percentEncode("a b!*'()+/=&%") == "a%20b%21%2A%27%28%29%2B%2F%3D%26%25");
  CHECK(oauth1::percentEncode("caf\xc3\xa9") == "caf%C3%A9");
}

TEST_CASE("baseStringUri lower-cases and drops the default port (RFC 5849 3.4.1.2)", "[fakes]") {
  CHECK(oauth1::baseStringUri("HTTP", "EXAMPLE.COM:80", "/r%20v/X") ==
        "http://example.com/r%20v/X");
  CHECK(oauth1::baseStringUri("https", "www.example.net:8080", "/?q=1") ==
        "https://www.example.net:8080/?q=1");
  CHECK(oauth1::baseStringUri("https", "example.com:443", "") == "https://example.com/");
  CHECK(oauth1::baseStringUri("http", "127.0.0.1:8080", "/api") == "http://127.0.0.1:8080/api");
}

TEST_CASE("the RFC 5849 3.4.1 example gives the RFC's normalized parameters and base string",
          "[fakes]") {
  // POST /request?b5=%3D%253D&a3=a&c%40=&a2=r%20b with body c2&a3=2+q, decoded.
  const oauth1::Params params = {
      {"b5", "=%3D"},
      {"a3", "a"},
      {"c@", ""},
      {"a2", "r b"},
      {"oauth_consumer_key", "9djdj82h48djs9d2"},
      {"oauth_token", "kkk9d7dh3k39sjv7"},
      {"oauth_signature_method", "HMAC-SHA1"},
      {"oauth_timestamp", "137131201"},
      {"oauth_nonce", "7d8f3e4a"},
      {"c2", ""},
      {"a3", "2 q"},
  };
  CHECK(oauth1::normalizeParameters(params) ==
        "a2=r%20b&a3=2%20q&a3=a&b5=%3D%253D&c%40=&c2=&oauth_consumer_key=9djdj82h48djs9d2"
        "&oauth_nonce=7d8f3e4a&oauth_signature_method=HMAC-SHA1&oauth_timestamp=137131201"
        "&oauth_token=kkk9d7dh3k39sjv7");
  CHECK(oauth1::signatureBaseString("post", "http://example.com/request", params) ==
        "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D"
        "%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce"
        "%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201"
        "%26oauth_token%3Dkkk9d7dh3k39sjv7");
}

TEST_CASE("the RFC 5849 1.2 photo request signs to the RFC's signature", "[fakes]") {
  const auto header = oauth1::parseAuthorizationHeader(
      "OAuth realm=\"Photos\",\r\n    oauth_consumer_key=\"dpf43f3p2l4k3l03\",\r\n"
      "    oauth_token=\"nnch734d00sl2jdk\",\r\n    oauth_signature_method=\"HMAC-SHA1\",\r\n"
      "    oauth_timestamp=\"137131202\",\r\n    oauth_nonce=\"chapoH\",\r\n"
      "    oauth_signature=\"MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D\"");
  REQUIRE(header.has_value());
  REQUIRE(header->size() == 7);
  CHECK(header->front() == std::make_pair(std::string("realm"), std::string("Photos")));
  CHECK(header->back().second == "MdpQcU8iPSUjWoN/UDMsK2sui9I=");

  oauth1::Params params = {{"file", "vacation.jpg"}, {"size", "original"}};
  for (const auto& param : *header) {
    if (param.first != "realm" && param.first != "oauth_signature") params.push_back(param);
  }
  const std::string base = oauth1::signatureBaseString(
      "GET", oauth1::baseStringUri("http", "photos.example.net", "/photos"), params);
  CHECK(base ==
        "GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26oauth_consumer_key"
        "%3Ddpf43f3p2l4k3l03%26oauth_nonce%3DchapoH%26oauth_signature_method%3DHMAC-SHA1"
        "%26oauth_timestamp%3D137131202%26oauth_token%3Dnnch734d00sl2jdk%26size%3Doriginal");
  CHECK(oauth1::hmacSha1Signature(base, "kd94hf93k423kf44", "pfkkdhi9sl3r4s00") ==
        "MdpQcU8iPSUjWoN/UDMsK2sui9I=");
  CHECK(oauth1::hmacSha1Signature(base, "kd94hf93k423kf44", "wrong") !=
        "MdpQcU8iPSUjWoN/UDMsK2sui9I=");
}

TEST_CASE("parseAuthorizationHeader refuses other schemes and malformed parameters", "[fakes]") {
  CHECK_FALSE(oauth1::parseAuthorizationHeader("Bearer abc").has_value());
  CHECK_FALSE(oauth1::parseAuthorizationHeader("OAuthx a=\"b\"").has_value());
  CHECK_FALSE(oauth1::parseAuthorizationHeader("OAuth a=b").has_value());
  CHECK_FALSE(oauth1::parseAuthorizationHeader("OAuth a=\"b").has_value());
  CHECK_FALSE(oauth1::parseAuthorizationHeader("OAuth a=\"%zz\"").has_value());
  CHECK_FALSE(oauth1::parseAuthorizationHeader("OAuth a=\"b\"c=\"d\"").has_value());
  const auto parsed = oauth1::parseAuthorizationHeader("oauth a=\"x%20y\",b=\"\"");
  REQUIRE(parsed.has_value());
  CHECK(*parsed == oauth1::Params{{"a", "x y"}, {"b", ""}});
}

TEST_CASE("authorizationHeader round-trips through parseAuthorizationHeader", "[fakes]") {
  const oauth1::Params params = {{"oauth_callback", "http://127.0.0.1:1/cb?x=1"},
                                 {"oauth_signature", "a+b/c="}};
  const std::string header = oauth1::authorizationHeader(params);
  CHECK(header ==
        "OAuth oauth_callback=\"http%3A%2F%2F127.0.0.1%3A1%2Fcb%3Fx%3D1\", "
        "oauth_signature=\"a%2Bb%2Fc%3D\"");
  CHECK(oauth1::parseAuthorizationHeader(header) == params);
}
