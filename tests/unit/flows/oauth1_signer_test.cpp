#include "core/flows/oauth1_signer.hpp"

#include <catch2/catch.hpp>

#include "tests/fakes/oauth1_signature.hpp"

namespace oauth1 = keyhop::flows::oauth1;
using keyhop::Oauth1Signature;
using keyhop::flows::Params;

namespace {

// The protocol parameters of an Authorization header, decoded by the fake's own parser.
std::map<std::string, std::string> headerParams(const std::string& header) {
  const auto params = keyhop::fakes::oauth1::parseAuthorizationHeader(header);
  REQUIRE(params);
  std::map<std::string, std::string> map;
  for (const auto& [name, value] : *params) map[name] = value;
  return map;
}

}  // namespace

TEST_CASE("baseStringUri follows RFC 5849 3.4.1.2", "[flows]") {
  CHECK(oauth1::baseStringUri("HTTP://EXAMPLE.COM:80/r%20v/X?id=123") ==
        "http://example.com/r%20v/X");
  CHECK(oauth1::baseStringUri("https://www.example.net:8080/?q=1") ==
        "https://www.example.net:8080/");
  CHECK(oauth1::baseStringUri("https://example.com:443") == "https://example.com/");
  CHECK(oauth1::baseStringUri("/relative").empty());
}

TEST_CASE("the RFC 5849 3.4.1 example gives the RFC's base string", "[flows]") {
  const std::string url = "http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b";
  Params params = oauth1::queryParams(url);
  const Params body = {{"c2", ""}, {"a3", "2 q"}};
  params.insert(params.end(), body.begin(), body.end());
  const Params oauth = {{"oauth_consumer_key", "9djdj82h48djs9d2"},
                        {"oauth_token", "kkk9d7dh3k39sjv7"},
                        {"oauth_signature_method", "HMAC-SHA1"},
                        {"oauth_timestamp", "137131201"},
                        {"oauth_nonce", "7d8f3e4a"}};
  params.insert(params.end(), oauth.begin(), oauth.end());
  CHECK(oauth1::normalizeParameters(params) ==
        "a2=r%20b&a3=2%20q&a3=a&b5=%3D%253D&c%40=&c2=&oauth_consumer_key=9djdj82h48djs9d2"
        "&oauth_nonce=7d8f3e4a&oauth_signature_method=HMAC-SHA1&oauth_timestamp=137131201"
        "&oauth_token=kkk9d7dh3k39sjv7");
  CHECK(oauth1::signatureBaseString("post", oauth1::baseStringUri(url), params) ==
        "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D"
        "%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce"
        "%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201"
        "%26oauth_token%3Dkkk9d7dh3k39sjv7");
}

TEST_CASE("the three RFC 5849 1.2 requests sign to the RFC's signatures", "[flows]") {
  oauth1::Signer signer;
  signer.consumer_key = "dpf43f3p2l4k3l03";
  signer.consumer_secret = "kd94hf93k423kf44";

  SECTION("temporary credentials") {
    const oauth1::RequestValues values{
        {{"oauth_callback", "http://printer.example.com/ready"}}, "wIjqoS", 137131200};
    const auto header = headerParams(
        oauth1::authorize(signer, "POST", "https://photos.example.net/initiate", {}, values));
    CHECK(header.at("oauth_signature") == "74KNZJeDHnMBp0EMJ9ZHt/XKycU=");
    CHECK(header.at("oauth_callback") == "http://printer.example.com/ready");
    CHECK(header.count("oauth_token") == 0);
  }
  SECTION("token credentials") {
    signer.token = "hh5s93j4hdidpola";
    signer.token_secret = "hdhd0244k9j7ao03";
    const oauth1::RequestValues values{{{"oauth_verifier", "hfdp7dh39dks9884"}}, "walatlh",
                                       137131201};
    const auto header = headerParams(
        oauth1::authorize(signer, "POST", "https://photos.example.net/token", {}, values));
    CHECK(header.at("oauth_signature") == "gKgrFCywp7rO0OXSjdot/IHF7IU=");
  }
  SECTION("a protected resource") {
    signer.token = "nnch734d00sl2jdk";
    signer.token_secret = "pfkkdhi9sl3r4s00";
    const oauth1::RequestValues values{{}, "chapoH", 137131202};
    const std::string header = oauth1::authorize(
        signer, "GET", "http://photos.example.net/photos?file=vacation.jpg&size=original", {},
        values);
    CHECK(header.rfind("OAuth ", 0) == 0);
    CHECK(header.find("oauth_signature=\"MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D\"") !=
          std::string::npos);
    CHECK(header.find("file=") == std::string::npos);  // query parameters stay in the query
  }
}

TEST_CASE("HMAC-SHA256 and PLAINTEXT signatures", "[flows]") {
  const std::string base = "GET&http%3A%2F%2Fexample.com%2F&a%3D1";
  CHECK(oauth1::sign(Oauth1Signature::Plaintext, base, "c s", "t&s") == "c%20s&t%26s");
  // openssl dgst -sha256 -hmac 'cs&ts' -binary | base64
  CHECK(oauth1::sign(Oauth1Signature::HmacSha256, base, "cs", "ts") ==
        "7HQ0k7J11u98C88k/6cJs0ENBl+ldV0izY+oXqZ56Yg=");
  CHECK(oauth1::methodName(Oauth1Signature::HmacSha256) == std::string("HMAC-SHA256"));
}

TEST_CASE("the signer agrees with the fake provider's independent verifier", "[flows]") {
  oauth1::Signer signer{Oauth1Signature::HmacSha1, "key", "sec ret", "tok", "tok/secret"};
  const Params form = {{"status", "Hello Ladies + Gentlemen, a signed OAuth request!"}};
  const oauth1::RequestValues values = oauth1::freshRequestValues();
  const std::string url = "http://127.0.0.1:8080/api/1/statuses?include_entities=true";
  auto header = keyhop::fakes::oauth1::parseAuthorizationHeader(
      oauth1::authorize(signer, "POST", url, form, values));
  REQUIRE(header);
  keyhop::fakes::oauth1::Params signed_params = {{"include_entities", "true"}};
  signed_params.insert(signed_params.end(), form.begin(), form.end());
  std::string signature;
  for (const auto& param : *header) {
    if (param.first == "oauth_signature") {
      signature = param.second;
    } else {
      signed_params.push_back(param);
    }
  }
  namespace fake = keyhop::fakes::oauth1;
  const std::string base = fake::signatureBaseString(
      "POST", fake::baseStringUri("http", "127.0.0.1:8080", "/api/1/statuses"), signed_params);
  CHECK(signature == fake::hmacSha1Signature(base, "sec ret", "tok/secret"));
  CHECK(values.nonce.size() == 32);
  CHECK(values.nonce != oauth1::freshRequestValues().nonce);
}
