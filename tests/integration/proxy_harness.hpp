#pragma once

// For the [proxy] tests: keyhop's server with its upstream pool, a FakeProvider whose API
// wants an API key in a header, a descriptor aimed at the fake, and one connected end user.

#include <catch2/catch.hpp>
#include <ctime>
#include <fstream>
#include <string>

#include "tests/fakes/fake_provider.hpp"
#include "tests/integration/api_harness.hpp"
#include "tests/integration/connect_harness.hpp"

namespace keyhop::proxy::testing {

using authorization::testing::generatedSecret;
using server::testing::ApiServer;

inline constexpr const char* kUser = "user-7";

// Stores an oauth2 connection for kUser with the fake's `tokens`, as if the user had connected
// through `integration`: tests that make the provider refuse its access token start here.
inline void seedOAuthConnection(ApiServer& api, const std::string& secret_key,
                                const std::string& integration, const fakes::TokenPair& tokens) {
  const std::string account_id = api.accountId(secret_key);
  const auto found = api.store().findIntegrationByName(account_id, integration);
  REQUIRE(found);
  Credentials credentials;
  credentials.access_token = tokens.access_token;
  credentials.refresh_token = tokens.refresh_token;
  credentials.expires_at = static_cast<std::int64_t>(std::time(nullptr)) + 3600;
  REQUIRE(api.store().upsertConnection({{account_id, found->info.id, kUser}, credentials, ""}));
}

class ProxyFixture {
 public:
  explicit ProxyFixture(flows::HttpClientOptions http_options = {}) {
    fake_.configure([](fakes::Options& options) {
      options.api_auth = fakes::ApiAuth::Header;
      options.api_header = "X-Api-Key";
    });
    fake_.addCredential(api_key_, "provider-user");
    std::ofstream(descriptors_.path() / "proxied.yaml")
        << "id: proxied\nname: Proxied\nauth: api_key\napi:\n  base_url: " << fake_.url()
        << "/api\n  stamp: {header: X-Api-Key, format: \"${api_key}\"}\n";
    api_ = std::make_unique<ApiServer>(std::vector<std::filesystem::path>{descriptors_.path()},
                                       false, http_options);
    key_ = api_->account("acme");
    REQUIRE(api_->call("POST", "/v1/integrations", key_, R"({"provider":"proxied"})").status ==
            201);
    REQUIRE(api_->call("POST", "/v1/connections", key_,
                       R"({"integration":"proxied","user_id":")" + std::string(kUser) +
                           R"(","api_key":")" + api_key_ + "\"}")
                .status == 201);
  }

  fakes::FakeProvider& fake() { return fake_; }
  ApiServer& api() { return *api_; }
  const std::string& secretKey() const { return key_; }
  const std::string& apiKey() const { return api_key_; }

  // A request through /proxy/proxied/<path_and_query> as the account, for kUser.
  test::HttpResult call(const std::string& method, const std::string& path_and_query,
                        const std::string& body = "", HeaderList headers = {}) {
    headers.push_back({"Authorization", "Bearer " + key_});
    headers.push_back({"Keyhop-User-Id", kUser});
    return test::httpRequest(api_->port(), method, "/proxy/proxied/" + path_and_query, body,
                             headers);
  }

 private:
  fakes::FakeProvider fake_;
  test::TempDir descriptors_;
  std::string api_key_ = generatedSecret("api-key");
  std::unique_ptr<ApiServer> api_;
  std::string key_;
};

}  // namespace keyhop::proxy::testing
