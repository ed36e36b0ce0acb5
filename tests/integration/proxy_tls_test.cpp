#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "tests/integration/proxy_harness.hpp"
#include "tests/support/test_certificates.hpp"
#include "tests/support/tls_test_server.hpp"

using keyhop::proxy::testing::generatedSecret;
using keyhop::proxy::testing::kUser;
using keyhop::server::testing::ApiServer;

namespace {

// An https provider API: 200 with the path it got when the stamped key is right, else 401.
keyhop::test::TlsTestServer::Handle keyedApi(std::string key) {
  return [key = std::move(key)](Poco::Net::HTTPServerRequest& request,
                                Poco::Net::HTTPServerResponse& response) {
    const bool keyed = request.get("X-Api-Key", "") == key;
    response.setStatus(keyed ? Poco::Net::HTTPResponse::HTTP_OK
                             : Poco::Net::HTTPResponse::HTTP_UNAUTHORIZED);
    const std::string body = keyed ? request.getURI() : "no";
    response.setContentLength(static_cast<std::streamsize>(body.size()));
    response.send() << body;
  };
}

struct TlsProxyFixture {
  keyhop::test::TestCertificates certificates;
  std::string api_key = generatedSecret("api-key");
  keyhop::test::TlsTestServer provider{certificates, keyedApi(api_key)};
  keyhop::test::TempDir descriptors;
  std::unique_ptr<ApiServer> api;
  std::string key;

  // `trust_test_ca`: keyhop's ca_file is the test CA; otherwise the system's store, which has
  // never heard of it.
  explicit TlsProxyFixture(bool trust_test_ca) {
    std::ofstream(descriptors.path() / "tls-api.yaml")
        << "id: tls-api\nname: TLS API\nauth: api_key\napi:\n  base_url: https://localhost:"
        << provider.port() << "/v1\n  stamp: {header: X-Api-Key, format: \"${api_key}\"}\n";
    keyhop::flows::HttpClientOptions options;
    if (trust_test_ca) options.ca_file = certificates.caFile().string();
    api = std::make_unique<ApiServer>(std::vector<std::filesystem::path>{descriptors.path()}, false,
                                      options);
    key = api->account("acme");
    REQUIRE(api->call("POST", "/v1/integrations", key, R"({"provider":"tls-api"})").status == 201);
    REQUIRE(api->call("POST", "/v1/connections", key,
                      R"({"integration":"tls-api","user_id":")" + std::string(kUser) +
                          R"(","api_key":")" + api_key + "\"}")
                .status == 201);
  }

  keyhop::test::HttpResult call(const std::string& path) {
    return keyhop::test::httpRequest(
        api->port(), "GET", "/proxy/tls-api/" + path, "",
        {{"Authorization", "Bearer " + key}, {"Keyhop-User-Id", kUser}});
  }
};

}  // namespace

TEST_CASE("An https provider is reached with its certificate verified against the CA file",
          "[proxy]") {
  TlsProxyFixture f(true);
  for (int i = 0; i < 3; ++i) {  // kept alive: later calls reuse the TLS connection
    const auto result = f.call("items?page=" + std::to_string(i));
    CHECK(result.status == 200);
    CHECK(result.body == "/v1/items?page=" + std::to_string(i));
  }
}

TEST_CASE("An https provider whose certificate is not trusted is refused before any request",
          "[proxy]") {
  TlsProxyFixture f(false);
  const auto result = f.call("items");
  CHECK(result.status == 502);
  CHECK(result.header("Keyhop-Error") == "upstream_unreachable");
  CHECK(result.body.find(f.api_key) == std::string::npos);
}
