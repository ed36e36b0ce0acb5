#pragma once

// Shared by the [flows] tests: a ProviderSpec aimed at a FakeProvider, and the browser's leg
// of an authorization (GET the authorize URL, read the redirect) played with keyhop's client.

#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

#include "core/flows/http_client.hpp"
#include "core/flows/oauth1_signer.hpp"
#include "core/flows/url_encoding.hpp"
#include "keyhop/provider.hpp"
#include "keyhop/provider_spec.hpp"
#include "tests/fakes/fake_provider.hpp"

namespace keyhop::flows::test {

inline const std::string kRedirectUri = "http://127.0.0.1:9/oauth/callback";

inline ProviderSpec oauth2Spec(const fakes::FakeProvider& fake) {
  ProviderSpec spec;
  spec.id = "fake";
  spec.name = "Fake";
  spec.auth = AuthMode::OAuth2;
  spec.authorize_url = fake.url() + "/oauth/authorize";
  spec.token_url = fake.url() + "/oauth/token";
  spec.scopes.defaults = {"read", "write"};
  spec.api.base_url = fake.url() + "/api";
  spec.api.stamp = Stamp{"Authorization", "", "Bearer ${access_token}"};
  return spec;
}

inline ProviderSpec oauth1Spec(const fakes::FakeProvider& fake) {
  ProviderSpec spec = oauth2Spec(fake);
  spec.auth = AuthMode::OAuth1;
  spec.authorize_url = fake.url() + "/oauth1/authorize";
  spec.token_url = fake.url() + "/oauth1/access_token";
  spec.scopes.defaults.clear();
  spec.pkce = false;
  spec.oauth1 = Oauth1Settings{fake.url() + "/oauth1/request_token", Oauth1Signature::HmacSha1};
  spec.api.stamp = Stamp{};
  return spec;
}

inline std::map<std::string, std::string> queryOf(const std::string& url) {
  std::map<std::string, std::string> map;
  for (const auto& [name, value] : oauth1::queryParams(url)) map[name] = value;
  return map;
}

// Plays the browser: GET `url` (no redirects followed) and returns the callback's parameters.
inline std::map<std::string, std::string> followAuthorize(const HttpClient& http,
                                                          const std::string& url) {
  const HttpResult answer = http.send(OutgoingRequest{"GET", url, {}, {}});
  REQUIRE(answer);
  REQUIRE(answer.response().status == 302);
  return queryOf(answer.response().header("Location"));
}

// Tokens, codes and secrets must never reach an error message.
inline void checkNoSecrets(const std::string& message, const std::vector<std::string>& secrets) {
  for (const auto& secret : secrets) {
    if (secret.empty()) continue;
    CAPTURE(message);
    CHECK(message.find(secret) == std::string::npos);
  }
}

}  // namespace keyhop::flows::test
