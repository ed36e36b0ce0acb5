#include "core/flows/authorize_url.hpp"

#include <catch2/catch.hpp>

#include "core/flows/pkce.hpp"
#include "tests/unit/flows/flows_test_support.hpp"

using namespace keyhop;
using namespace keyhop::flows;
using namespace keyhop::flows::test;

namespace {

AuthorizeRequest request(const std::string& challenge) {
  AuthorizeRequest request;
  request.client.client_id = "client-id";
  request.redirect_uri = kRedirectUri;
  request.state = "st/ate+1";
  request.code_challenge = challenge;
  return request;
}

class FixedUrl final : public Provider {
 public:
  HookStatus buildAuthorizeUrl(const ProviderSpec&, const AuthorizeRequest& request,
                               std::string& url) noexcept override {
    url = "https://odd.example/auth#state=" + request.state;
    return HookStatus::Done;
  }
};

}  // namespace

TEST_CASE("the authorize URL carries every standard parameter, encoded", "[flows]") {
  fakes::FakeProvider fake;
  ProviderSpec spec = oauth2Spec(fake);
  spec.scopes.separator = ",";
  spec.authorize_params = {{"access_type", "offline"}, {"prompt", "consent select"}};
  Provider declining;
  const Pkce pkce = makePkce();

  const auto url = buildAuthorizeUrl(spec, declining, request(pkce.challenge));
  REQUIRE(url);
  CHECK(url.value().rfind(fake.url() + "/oauth/authorize?", 0) == 0);
  CHECK(url.value().find("redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Foauth%2Fcallback") !=
        std::string::npos);
  CHECK(url.value().find("prompt=consent%20select") != std::string::npos);
  const auto query = queryOf(url.value());
  CHECK(query.at("response_type") == "code");
  CHECK(query.at("client_id") == "client-id");
  CHECK(query.at("redirect_uri") == kRedirectUri);
  CHECK(query.at("state") == "st/ate+1");
  CHECK(query.at("scope") == "read,write");
  CHECK(query.at("code_challenge") == pkce.challenge);
  CHECK(query.at("code_challenge_method") == "S256");
  CHECK(query.at("access_type") == "offline");

  // The fake provider accepts it and sends the browser back with a code and our state.
  const auto callback = followAuthorize(HttpClient(), url.value());
  CHECK(callback.at("state") == "st/ate+1");
  CHECK_FALSE(callback.at("code").empty());
}

TEST_CASE("no challenge means no PKCE parameters, the request's scopes beat the defaults",
          "[flows]") {
  fakes::FakeProvider fake;
  Provider declining;
  AuthorizeRequest plain = request("");
  plain.scopes = {"repo", "read:user"};
  const auto url = buildAuthorizeUrl(oauth2Spec(fake), declining, plain);
  REQUIRE(url);
  const auto query = queryOf(url.value());
  CHECK(query.count("code_challenge") == 0);
  CHECK(query.count("code_challenge_method") == 0);
  CHECK(query.at("scope") == "repo read:user");
}

TEST_CASE("connection fields fill the authorize URL's host, strictly", "[flows]") {
  ProviderSpec spec;
  spec.authorize_url = "https://${connection.subdomain}.zendesk.example/oauth/authorizations/new";
  Provider declining;
  AuthorizeRequest good = request("");
  good.connection_fields["subdomain"] = "acme";
  const auto url = buildAuthorizeUrl(spec, declining, good);
  REQUIRE(url);
  CHECK(url.value().rfind("https://acme.zendesk.example/oauth/authorizations/new?", 0) == 0);

  AuthorizeRequest bad = request("");
  bad.connection_fields["subdomain"] = "evil.example/";
  const auto refused = buildAuthorizeUrl(spec, declining, bad);
  REQUIRE_FALSE(refused);
  CHECK(refused.failure().kind == FailureKind::InvalidInput);
  CHECK(refused.failure().message.find("authorize_url") != std::string::npos);
}

TEST_CASE("a plugin's buildAuthorizeUrl hook takes precedence", "[flows]") {
  fakes::FakeProvider fake;
  FixedUrl hooks;
  const auto url = buildAuthorizeUrl(oauth2Spec(fake), hooks, request(""));
  REQUIRE(url);
  CHECK(url.value() == "https://odd.example/auth#state=st/ate+1");
}
