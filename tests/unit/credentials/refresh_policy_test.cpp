#include "core/credentials/refresh_policy.hpp"

#include <catch2/catch.hpp>

using namespace keyhop;
using keyhop::credentials::RefreshNeed;
using keyhop::credentials::renewsTokens;
using keyhop::credentials::refreshNeed;
using keyhop::credentials::withTokens;

TEST_CASE("refreshNeed: margin, expiry, force, missing token, no expiry, modes", "[credentials]") {
  ProviderSpec spec;
  spec.auth = AuthMode::OAuth2;
  spec.refresh.margin_s = 300;
  Credentials credentials;
  credentials.access_token = "at";
  credentials.expires_at = 10000;

  CHECK(refreshNeed(spec, credentials, false, 9699) == RefreshNeed::None);
  CHECK(refreshNeed(spec, credentials, false, 9700) == RefreshNeed::Soon);
  CHECK(refreshNeed(spec, credentials, false, 10000) == RefreshNeed::Now);
  CHECK(refreshNeed(spec, credentials, true, 0) == RefreshNeed::Now);

  Credentials forever = credentials;
  forever.expires_at.reset();
  CHECK(refreshNeed(spec, forever, false, 1'000'000'000'000) == RefreshNeed::None);
  CHECK(refreshNeed(spec, Credentials{}, false, 0) == RefreshNeed::Now);

  CHECK(renewsTokens(spec));
  spec.auth = AuthMode::OAuth2ClientCredentials;
  CHECK(renewsTokens(spec));
  CHECK(refreshNeed(spec, Credentials{}, false, 0) == RefreshNeed::Now);
  for (const AuthMode mode : {AuthMode::OAuth1, AuthMode::ApiKey, AuthMode::Basic}) {
    spec.auth = mode;
    CHECK_FALSE(renewsTokens(spec));
    CHECK(refreshNeed(spec, credentials, true, 20000) == RefreshNeed::None);
  }
}

TEST_CASE("withTokens keeps connection fields and captured values the answer lacks",
          "[credentials]") {
  Credentials current;
  current.access_token = "old";
  current.refresh_token = "rt-old";
  current.expires_at = 5;
  current.captured = {{"instance_url", "https://eu.example"}, {"team_id", "T1"}};
  current.connection_fields = {{"subdomain", "acme"}};
  TokenSet tokens;
  tokens.access_token = "new";
  tokens.refresh_token = "rt-new";
  tokens.captured = {{"team_id", "T2"}};

  const Credentials renewed = withTokens(current, tokens, 1000);
  CHECK(renewed.access_token == "new");
  CHECK(renewed.refresh_token == "rt-new");
  CHECK_FALSE(renewed.expires_at);  // the answer had no expiry
  CHECK(renewed.captured.at("team_id") == "T2");
  CHECK(renewed.captured.at("instance_url") == "https://eu.example");
  CHECK(renewed.connection_fields == current.connection_fields);

  tokens.expires_in_s = 3600;
  CHECK(withTokens(current, tokens, 1000).expires_at == 4600);
}
