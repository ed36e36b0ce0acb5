#include <Poco/JSON/Array.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/integration/proxy_harness.hpp"

using keyhop::proxy::testing::kUser;
using keyhop::proxy::testing::ProxyFixture;
using keyhop::server::testing::jsonObject;

namespace {

// The fake API's echo: {"method","path","query","headers":[{"name","value"}],...}. Every value
// it received under `name`, in order.
std::vector<std::string> echoedHeaders(const std::string& body, const std::string& name) {
  std::vector<std::string> values;
  const auto headers = jsonObject(body)->getArray("headers");
  for (std::size_t i = 0; i < headers->size(); ++i) {
    const auto header = headers->getObject(static_cast<unsigned>(i));
    if (Poco::icompare(header->getValue<std::string>("name"), name) == 0) {
      values.push_back(header->getValue<std::string>("value"));
    }
  }
  return values;
}

std::string echoedHeader(const std::string& body, const std::string& name) {
  const auto values = echoedHeaders(body, name);
  return values.empty() ? "" : values.front();
}

}  // namespace

TEST_CASE("The proxy stamps the credential and passes method, path, query and body on", "[proxy]") {
  ProxyFixture f;
  for (const std::string method : {"GET", "POST", "PUT", "PATCH", "DELETE"}) {
    INFO(method);
    const std::string body = method == "GET" ? "" : R"({"name":"x","n":1})";
    const auto result = f.call(method, "v1/items/a%2Fb?q=a%20b&x=1&x=2&e=%E2%9C%93", body,
                               {{"Content-Type", "application/json"}, {"X-Trace", "t-1"}});
    REQUIRE(result.status == 200);
    CHECK(result.header("Keyhop-Error").empty());
    const auto echo = jsonObject(result.body);
    CHECK(echo->getValue<std::string>("method") == method);
    CHECK(echo->getValue<std::string>("path") == "/api/v1/items/a%2Fb");
    CHECK(echo->getValue<std::string>("query") == "q=a%20b&x=1&x=2&e=%E2%9C%93");
    CHECK(echo->getValue<std::string>("user") == "provider-user");
    CHECK(echo->getValue<std::size_t>("body_size") == body.size());
    CHECK(echoedHeader(result.body, "X-Api-Key") == f.apiKey());
    CHECK(echoedHeader(result.body, "X-Trace") == "t-1");
    CHECK(echoedHeader(result.body, "Authorization").empty());
    CHECK(echoedHeader(result.body, "Keyhop-User-Id").empty());
  }
  CHECK(f.fake().counters().api_calls == 5);
}

TEST_CASE("The stamp replaces every header the caller sent under its name", "[proxy]") {
  ProxyFixture f;
  const auto result =
      f.call("GET", "v1/items", "", {{"x-api-key", "forged-1"}, {"X-Api-Key", "forged-2"}});
  REQUIRE(result.status == 200);
  CHECK(echoedHeaders(result.body, "X-Api-Key") == std::vector<std::string>{f.apiKey()});
}

TEST_CASE("The provider's answer comes back exactly: status, headers, chunked and long bodies",
          "[proxy]") {
  ProxyFixture f;
  const auto created = f.call("GET", "status/201");
  CHECK(created.status == 201);
  const auto cookies = f.call("GET", "response-headers?Set-Cookie=a%3D1&Set-Cookie=b%3D2&X-Rate=7");
  REQUIRE(cookies.status == 200);
  int set_cookies = 0;
  for (const auto& header : cookies.headers) set_cookies += header.name == "Set-Cookie";
  CHECK(set_cookies == 2);
  CHECK(cookies.header("X-Rate") == "7");

  const auto chunked = f.call("GET", "chunked/100000?chunk=777");
  REQUIRE(chunked.status == 200);
  CHECK(chunked.body.size() == 100000);
  CHECK(chunked.body.substr(0, 26) == "abcdefghijklmnopqrstuvwxyz");
  const auto sized = f.call("GET", "bytes/3000000");
  REQUIRE(sized.status == 200);
  CHECK(sized.body.size() == 3000000);
  CHECK(sized.header("Content-Length") == "3000000");
  const auto empty = f.call("GET", "status/204");
  CHECK(empty.status == 204);
  CHECK(empty.body.empty());
}

TEST_CASE("A rejected credential is the provider's answer, passed on unchanged", "[proxy]") {
  ProxyFixture f;
  f.fake().configure([](keyhop::fakes::Options& options) { options.api_header = "X-Other"; });
  const auto result = f.call("GET", "me");
  CHECK(result.status == 401);
  CHECK(result.header("Keyhop-Error").empty());
  CHECK(result.header("WWW-Authenticate") != "");
}

TEST_CASE("keyhop's own refusals carry Keyhop-Error and never reach the provider", "[proxy]") {
  ProxyFixture f;
  const auto no_key = keyhop::test::httpRequest(f.api().port(), "GET", "/proxy/proxied/me", "",
                                                {{"Keyhop-User-Id", kUser}});
  CHECK(no_key.status == 401);
  CHECK(no_key.header("Keyhop-Error") == "invalid_secret_key");
  const auto no_user = keyhop::test::httpRequest(f.api().port(), "GET", "/proxy/proxied/me", "",
                                                 {{"Authorization", "Bearer " + f.secretKey()}});
  CHECK(no_user.status == 400);
  CHECK(no_user.header("Keyhop-Error") == "invalid_user_id");
  const auto unknown_user = keyhop::test::httpRequest(
      f.api().port(), "GET", "/proxy/proxied/me", "",
      {{"Authorization", "Bearer " + f.secretKey()}, {"Keyhop-User-Id", "nobody"}});
  CHECK(unknown_user.status == 404);
  CHECK(unknown_user.header("Keyhop-Error") == "connection_not_found");
  const auto unknown_integration = keyhop::test::httpRequest(
      f.api().port(), "GET", "/proxy/nothing/me", "",
      {{"Authorization", "Bearer " + f.secretKey()}, {"Keyhop-User-Id", kUser}});
  CHECK(unknown_integration.status == 404);
  CHECK(unknown_integration.header("Keyhop-Error") == "integration_not_found");
  const auto other_account = f.api().account("other");
  const auto foreign = keyhop::test::httpRequest(
      f.api().port(), "GET", "/proxy/proxied/me", "",
      {{"Authorization", "Bearer " + other_account}, {"Keyhop-User-Id", kUser}});
  CHECK(foreign.status == 404);
  CHECK(f.fake().counters().api_calls == 0);
}

TEST_CASE("Paths that could leave the provider's API are refused before any connection",
          "[proxy]") {
  ProxyFixture f;
  for (const std::string path :
       {"..", "../admin", "a/../../x", "%2e%2e/x", "%252e%252e/x", "a/..%2fx", "/evil.example/x",
        "a//b", "http:/evil.example", "a@evil.example", "a%5c..%5cx", "a%0d%0aX:%20y"}) {
    INFO(path);
    const auto result = f.call("GET", path);
    CHECK(result.status == 400);
    CHECK(result.header("Keyhop-Error") == "invalid_proxy_path");
  }
  CHECK(f.fake().counters().api_calls == 0);
}

TEST_CASE("A provider slower than the read timeout is a 504 from keyhop", "[proxy]") {
  keyhop::flows::HttpClientOptions options;
  options.read_timeout = std::chrono::milliseconds(300);
  ProxyFixture f(options);
  f.fake().configure([](keyhop::fakes::Options& o) {
    o.delays[keyhop::fakes::Endpoint::Api] = std::chrono::milliseconds(1500);
  });
  const auto slow = f.call("GET", "me");
  CHECK(slow.status == 504);
  CHECK(slow.header("Keyhop-Error") == "upstream_timeout");
}
