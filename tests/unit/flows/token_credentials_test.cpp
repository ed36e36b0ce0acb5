#include "core/flows/token_credentials.hpp"

#include <catch2/catch.hpp>

using keyhop::TokenSet;
using keyhop::flows::credentialsFromTokens;

TEST_CASE("Token answers become credentials with an absolute expiry", "[flows]") {
  TokenSet tokens;
  tokens.access_token = "at";
  tokens.refresh_token = "rt";
  tokens.expires_in_s = 3600;
  tokens.captured = {{"instance_url", "https://na1.example"}};
  const auto credentials = credentialsFromTokens(tokens, 1'700'000'000, {{"subdomain", "acme"}});
  CHECK(credentials.access_token == "at");
  CHECK(credentials.refresh_token == "rt");
  CHECK(credentials.expires_at == 1'700'003'600);
  CHECK(credentials.captured.at("instance_url") == "https://na1.example");
  CHECK(credentials.connection_fields.at("subdomain") == "acme");
}

TEST_CASE("A token answer without a lifetime never expires", "[flows]") {
  TokenSet tokens;
  tokens.access_token = "at";
  tokens.token_secret = "oauth1-secret";
  const auto credentials = credentialsFromTokens(tokens, 1'700'000'000, {});
  CHECK_FALSE(credentials.expires_at);
  CHECK(credentials.token_secret == "oauth1-secret");
}
