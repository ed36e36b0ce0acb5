#include "core/flows/oauth1_flow.hpp"

#include <catch2/catch.hpp>

#include "core/flows/stamp.hpp"
#include "tests/unit/flows/flows_test_support.hpp"

using namespace keyhop;
using namespace keyhop::flows;
using namespace keyhop::flows::test;

namespace {

const ClientRegistration kConsumer{"client-id", "client-secret"};

}  // namespace

TEST_CASE("OAuth 1.0a three-legged flow against the fake, then a signed API call", "[flows]") {
  fakes::Options options;
  options.user = "user-42";
  options.api_auth = fakes::ApiAuth::OAuth1;
  options.extra_fields = {{"screen_name", "jane"}};
  fakes::FakeProvider fake(options);
  ProviderSpec spec = oauth1Spec(fake);
  spec.token_response.capture = {{"user_id", "user_id"}, {"screen_name", "screen_name"}};
  const HttpClient http;
  Provider hooks;

  const auto temporary = oauth1::requestToken(http, spec, kConsumer, kRedirectUri, {});
  REQUIRE(temporary);
  CHECK_FALSE(temporary.value().secret.empty());

  const auto url = oauth1::authorizeUrl(spec, temporary.value().token, {});
  REQUIRE(url);
  const auto callback = followAuthorize(http, url.value());
  CHECK(callback.at("oauth_token") == temporary.value().token);
  const std::string verifier = callback.at("oauth_verifier");

  const auto tokens =
      oauth1::accessToken(http, spec, hooks, kConsumer, temporary.value(), verifier, {});
  REQUIRE(tokens);
  CHECK_FALSE(tokens.value().access_token.empty());
  CHECK_FALSE(tokens.value().token_secret.empty());
  CHECK(tokens.value().captured.at("user_id") == "user-42");
  CHECK(tokens.value().captured.at("screen_name") == "jane");
  const auto counters = fake.counters();
  CHECK(counters.oauth1_request_tokens == 1);
  CHECK(counters.oauth1_access_tokens == 1);

  Credentials credentials;
  credentials.access_token = tokens.value().access_token;
  credentials.token_secret = tokens.value().token_secret;
  PreparedRequest call{"POST",
                       fake.url() + "/api/statuses?include_entities=true",
                       {{"Content-Type", "application/x-www-form-urlencoded"}},
                       "status=Hello%20Ladies%20%2B%20Gentlemen"};
  REQUIRE_FALSE(stampRequest(spec, hooks, kConsumer, credentials, call));
  const HttpResult answer = http.send(call.view());
  REQUIRE(answer);
  CHECK(answer.response().status == 200);
  CHECK(answer.response().body.find("\"user\":\"user-42\"") != std::string::npos);

  SECTION("the signature follows the Content-Type that api.headers sets over the caller's") {
    spec.api.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    PreparedRequest typed{
        "POST", fake.url() + "/api/statuses", {{"Content-Type", "application/json"}}, "status=Hi"};
    REQUIRE_FALSE(stampRequest(spec, hooks, kConsumer, credentials, typed));
    const HttpResult typed_answer = http.send(typed.view());
    REQUIRE(typed_answer);
    CHECK(typed_answer.response().status == 200);
  }

  SECTION("the request token cannot be exchanged twice") {
    const auto again =
        oauth1::accessToken(http, spec, hooks, kConsumer, temporary.value(), verifier, {});
    REQUIRE_FALSE(again);
    CHECK(again.failure().kind == FailureKind::InvalidGrant);
    checkNoSecrets(again.failure().message,
                   {verifier, temporary.value().secret, kConsumer.client_secret});
  }
}

TEST_CASE("OAuth 1.0a failures are classified", "[flows]") {
  fakes::FakeProvider fake;
  ProviderSpec spec = oauth1Spec(fake);
  const HttpClient http;
  Provider hooks;

  SECTION("a wrong consumer secret is invalid_client") {
    const auto refused = oauth1::requestToken(http, spec, {"client-id", "wrong"}, kRedirectUri, {});
    REQUIRE_FALSE(refused);
    CHECK(refused.failure().kind == FailureKind::InvalidClient);
    CHECK(refused.failure().provider_error == "signature_invalid");
  }
  SECTION("a wrong verifier is invalid_grant") {
    const auto temporary = oauth1::requestToken(http, spec, kConsumer, kRedirectUri, {});
    REQUIRE(temporary);
    followAuthorize(http, oauth1::authorizeUrl(spec, temporary.value().token, {}).value());
    const auto refused =
        oauth1::accessToken(http, spec, hooks, kConsumer, temporary.value(), "bogus", {});
    REQUIRE_FALSE(refused);
    CHECK(refused.failure().kind == FailureKind::InvalidGrant);
  }
  SECTION("a 500 is transient") {
    fake.failNext(fakes::Endpoint::OAuth1RequestToken, 1, {500, {}, ""});
    const auto down = oauth1::requestToken(http, spec, kConsumer, kRedirectUri, {});
    REQUIRE_FALSE(down);
    CHECK(down.failure().kind == FailureKind::Transient);
  }
  SECTION("an answer without a confirmed callback is refused (OAuth 1.0 is not 1.0a)") {
    fake.failNext(fakes::Endpoint::OAuth1RequestToken, 1,
                  {200,
                   {{"Content-Type", "application/x-www-form-urlencoded"}},
                   "oauth_token=t&oauth_token_secret=s"});
    const auto old = oauth1::requestToken(http, spec, kConsumer, kRedirectUri, {});
    REQUIRE_FALSE(old);
    CHECK(old.failure().kind == FailureKind::InvalidResponse);
  }
}
