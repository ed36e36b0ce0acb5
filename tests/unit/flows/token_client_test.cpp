#include "core/flows/token_client.hpp"

#include <catch2/catch.hpp>

#include "core/flows/authorize_url.hpp"
#include "core/flows/pkce.hpp"
#include "tests/unit/flows/flows_test_support.hpp"

using namespace keyhop;
using namespace keyhop::flows;
using namespace keyhop::flows::test;
using fakes::FakeProvider;

namespace {

const ClientRegistration kClient{"client-id", "client-secret"};

// Authorizes at the fake (with PKCE when `pkce` is set) and returns the code.
std::string authorizeAtFake(const ProviderSpec& spec, const HttpClient& http,
                            const ClientRegistration& client = kClient,
                            const Pkce* pkce = nullptr) {
  AuthorizeRequest request;
  request.client.client_id = client.client_id;
  request.redirect_uri = kRedirectUri;
  request.state = "s1";
  if (pkce != nullptr) request.code_challenge = pkce->challenge;
  Provider declining;
  const auto url = buildAuthorizeUrl(spec, declining, request);
  REQUIRE(url);
  return followAuthorize(http, url.value()).at("code");
}

CodeExchange exchangeFor(const std::string& code, const Pkce* pkce = nullptr) {
  return CodeExchange{code, kRedirectUri, pkce != nullptr ? pkce->verifier : "", {}};
}

std::string headerOf(const fakes::RecordedRequest& request, const std::string& name) {
  for (const auto& header : request.headers) {
    if (header.name == name) return header.value;
  }
  return {};
}

struct Fixture {
  explicit Fixture(fakes::Options options = {})
      : fake(std::move(options)), spec(oauth2Spec(fake)) {}
  FakeProvider fake;
  ProviderSpec spec;
  HttpClient http;
  Provider hooks;
};

}  // namespace

TEST_CASE("a code with PKCE S256 exchanges for tokens, exactly once", "[flows]") {
  Fixture f;
  const Pkce pkce = makePkce();
  const std::string code = authorizeAtFake(f.spec, f.http, kClient, &pkce);

  const auto tokens = exchangeCode(f.http, f.spec, f.hooks, kClient, exchangeFor(code, &pkce));
  REQUIRE(tokens);
  CHECK_FALSE(tokens.value().access_token.empty());
  CHECK_FALSE(tokens.value().refresh_token.empty());
  CHECK(tokens.value().expires_in_s == 3600);
  CHECK(tokens.value().scope == "read write");
  CHECK(f.fake.counters().code_exchanges == 1);

  const auto sent = f.fake.lastRequest(fakes::Endpoint::Token);
  REQUIRE(sent);
  const auto body = parseForm(sent->body);
  REQUIRE(body);
  const auto has = [&](const std::string& name, const std::string& value) {
    return std::find(body->begin(), body->end(), std::make_pair(name, value)) != body->end();
  };
  CHECK(has("grant_type", "authorization_code"));
  CHECK(has("code_verifier", pkce.verifier));
  CHECK(has("redirect_uri", kRedirectUri));
  CHECK(has("client_secret", "client-secret"));
  CHECK(headerOf(*sent, "Accept") == "application/json");

  SECTION("a replayed code is invalid_grant, with nothing secret in the message") {
    const auto replay = exchangeCode(f.http, f.spec, f.hooks, kClient, exchangeFor(code, &pkce));
    REQUIRE_FALSE(replay);
    CHECK(replay.failure().kind == FailureKind::InvalidGrant);
    CHECK(replay.failure().provider_error == "invalid_grant");
    CHECK(replay.failure().http_status == 400);
    checkNoSecrets(replay.failure().message,
                   {code, pkce.verifier, kClient.client_secret, tokens.value().access_token});
  }
}

TEST_CASE("a wrong PKCE verifier is invalid_grant", "[flows]") {
  Fixture f;
  const Pkce pkce = makePkce();
  const Pkce other = makePkce();
  const std::string code = authorizeAtFake(f.spec, f.http, kClient, &pkce);
  const auto result = exchangeCode(f.http, f.spec, f.hooks, kClient, exchangeFor(code, &other));
  REQUIRE_FALSE(result);
  CHECK(result.failure().kind == FailureKind::InvalidGrant);
  checkNoSecrets(result.failure().message, {code, other.verifier, pkce.verifier});
}

TEST_CASE("client_secret_basic form-encodes id and secret before base64", "[flows]") {
  fakes::Options options;
  options.client_auth = fakes::ClientAuth::Basic;
  options.clients = {{"my app", "s3cr:et+/%", {}}};
  Fixture f(options);
  f.spec.token_request.auth = ClientAuth::ClientSecretBasic;
  const ClientRegistration client{"my app", "s3cr:et+/%"};
  const std::string code = authorizeAtFake(f.spec, f.http, client);

  const auto tokens = exchangeCode(f.http, f.spec, f.hooks, client, exchangeFor(code));
  REQUIRE(tokens);
  const auto sent = f.fake.lastRequest(fakes::Endpoint::Token);
  REQUIRE(sent);
  CHECK(headerOf(*sent, "Authorization").rfind("Basic ", 0) == 0);
  CHECK(sent->body.find("client_secret") == std::string::npos);

  SECTION("a wrong secret is invalid_client and is not echoed") {
    const ClientRegistration wrong{"my app", "not-the-secret"};
    const auto refused = exchangeCode(f.http, f.spec, f.hooks, wrong,
                                      exchangeFor(authorizeAtFake(f.spec, f.http, client)));
    REQUIRE_FALSE(refused);
    CHECK(refused.failure().kind == FailureKind::InvalidClient);
    checkNoSecrets(refused.failure().message, {"not-the-secret"});
  }
}

TEST_CASE("client_secret_post is refused by a Basic-only provider, accepted by a Post-only one",
          "[flows]") {
  fakes::Options options;
  options.client_auth = fakes::ClientAuth::Basic;
  Fixture f(options);
  const auto refused = exchangeCode(f.http, f.spec, f.hooks, kClient,
                                    exchangeFor(authorizeAtFake(f.spec, f.http)));
  REQUIRE_FALSE(refused);
  CHECK(refused.failure().kind == FailureKind::InvalidClient);

  f.fake.configure([](fakes::Options& o) { o.client_auth = fakes::ClientAuth::Post; });
  CHECK(exchangeCode(f.http, f.spec, f.hooks, kClient,
                     exchangeFor(authorizeAtFake(f.spec, f.http))));
}

TEST_CASE("a JSON token request body, with token_params", "[flows]") {
  fakes::Options options;
  options.token_body = fakes::BodyFormat::Json;
  Fixture f(options);
  f.spec.token_request.body = BodyEncoding::Json;
  f.spec.token_params = {{"audience", "https://api.example"}};
  const auto tokens = exchangeCode(f.http, f.spec, f.hooks, kClient,
                                   exchangeFor(authorizeAtFake(f.spec, f.http)));
  REQUIRE(tokens);
  const auto sent = f.fake.lastRequest(fakes::Endpoint::Token);
  REQUIRE(sent);
  CHECK(headerOf(*sent, "Content-Type") == "application/json");
  CHECK(sent->body.rfind("{\"grant_type\":\"authorization_code\"", 0) == 0);
  CHECK(sent->body.find("\"audience\":") != std::string::npos);

  f.spec.token_request.body = BodyEncoding::Form;
  const auto form = exchangeCode(f.http, f.spec, f.hooks, kClient,
                                 exchangeFor(authorizeAtFake(f.spec, f.http)));
  REQUIRE_FALSE(form);
  CHECK(form.failure().kind == FailureKind::ProviderError);
  CHECK(form.failure().provider_error == "invalid_request");
}

TEST_CASE("refresh with rotation: a new refresh token, the old one then invalid_grant",
          "[flows]") {
  fakes::Options options;
  options.rotate_refresh_tokens = true;
  Fixture f(options);
  f.spec.refresh_params = {{"expires_in", "7200"}};
  const auto pair = f.fake.issueTokens("user-7");
  Credentials current;
  current.refresh_token = pair.refresh_token;
  current.captured["team_id"] = "T1";

  const auto refreshed = refreshTokens(f.http, f.spec, f.hooks, kClient, current);
  REQUIRE(refreshed);
  CHECK(refreshed.value().refresh_token != pair.refresh_token);
  CHECK(refreshed.value().access_token != pair.access_token);
  CHECK(refreshed.value().captured.at("team_id") == "T1");
  CHECK(f.fake.counters().refreshes == 1);
  const auto sent = f.fake.lastRequest(fakes::Endpoint::Token);
  REQUIRE(sent);
  CHECK(sent->body.find("expires_in=7200") != std::string::npos);

  const auto stale = refreshTokens(f.http, f.spec, f.hooks, kClient, current);
  REQUIRE_FALSE(stale);
  CHECK(stale.failure().kind == FailureKind::InvalidGrant);
  checkNoSecrets(stale.failure().message, {pair.refresh_token, kClient.client_secret});
}

TEST_CASE("refresh without rotation keeps the refresh token, refresh_url is used", "[flows]") {
  Fixture f;
  const auto pair = f.fake.issueTokens("user-7");
  f.spec.token_url = "http://127.0.0.1:1/never-used";
  f.spec.refresh_url = f.fake.url() + "/oauth/token";
  Credentials current;
  current.refresh_token = pair.refresh_token;
  const auto refreshed = refreshTokens(f.http, f.spec, f.hooks, kClient, current);
  REQUIRE(refreshed);
  CHECK(refreshed.value().refresh_token == pair.refresh_token);
  CHECK(refreshTokens(f.http, f.spec, f.hooks, kClient, current));
}

TEST_CASE("client credentials ask for the default scopes", "[flows]") {
  Fixture f;
  f.spec.auth = AuthMode::OAuth2ClientCredentials;
  const auto tokens = fetchClientCredentials(f.http, f.spec, f.hooks, kClient, {}, {});
  REQUIRE(tokens);
  CHECK_FALSE(tokens.value().access_token.empty());
  CHECK(tokens.value().refresh_token.empty());
  CHECK(f.fake.counters().client_credentials == 1);
  const auto sent = f.fake.lastRequest(fakes::Endpoint::Token);
  REQUIRE(sent);
  CHECK(sent->body.find("grant_type=client_credentials&scope=read+write") == 0);
}

TEST_CASE("token response quirks are read per the descriptor", "[flows]") {
  Fixture f;
  SECTION("form-encoded answers") {
    f.fake.configure([](fakes::Options& o) { o.response_format = fakes::ResponseFormat::Form; });
    const auto tokens = exchangeCode(f.http, f.spec, f.hooks, kClient,
                                     exchangeFor(authorizeAtFake(f.spec, f.http)));
    REQUIRE(tokens);
    CHECK(tokens.value().expires_in_s == 3600);
    CHECK_FALSE(tokens.value().refresh_token.empty());
  }
  SECTION("GitHub's form answer unless Accept asks for JSON: we always ask") {
    f.fake.configure(
        [](fakes::Options& o) { o.response_format = fakes::ResponseFormat::FormUnlessAcceptJson; });
    CHECK(exchangeCode(f.http, f.spec, f.hooks, kClient,
                       exchangeFor(authorizeAtFake(f.spec, f.http))));
  }
  SECTION("tokens nested in a sub-object, and captured fields") {
    f.fake.configure([](fakes::Options& o) {
      o.nest_tokens_under = "authed_user";
      o.extra_fields = {{"team.id", "T42"}, {"instance_url", "https://na1.example"}};
    });
    f.spec.token_response.access_token = "authed_user.access_token";
    f.spec.token_response.refresh_token = "authed_user.refresh_token";
    f.spec.token_response.expires_in = "authed_user.expires_in";
    f.spec.token_response.capture = {{"team_id", "team.id"},
                                     {"instance_url", "instance_url"},
                                     {"absent", "no.such.path"}};
    const auto tokens = exchangeCode(f.http, f.spec, f.hooks, kClient,
                                     exchangeFor(authorizeAtFake(f.spec, f.http)));
    REQUIRE(tokens);
    CHECK_FALSE(tokens.value().refresh_token.empty());
    CHECK(tokens.value().expires_in_s == 3600);
    CHECK(tokens.value().captured ==
          std::map<std::string, std::string>{{"team_id", "T42"},
                                             {"instance_url", "https://na1.example"}});

    f.spec.token_response.access_token = "access_token";
    const auto missing = exchangeCode(f.http, f.spec, f.hooks, kClient,
                                      exchangeFor(authorizeAtFake(f.spec, f.http)));
    REQUIRE_FALSE(missing);
    CHECK(missing.failure().kind == FailureKind::InvalidResponse);
  }
  SECTION("no expires_in: the descriptor's default, or never") {
    f.fake.configure([](fakes::Options& o) { o.omit_expires_in = true; });
    f.spec.token_response.expires_in_default = 7200;
    auto tokens = exchangeCode(f.http, f.spec, f.hooks, kClient,
                               exchangeFor(authorizeAtFake(f.spec, f.http)));
    REQUIRE(tokens);
    CHECK(tokens.value().expires_in_s == 7200);

    f.fake.configure([](fakes::Options& o) { o.access_token_ttl = std::chrono::seconds(0); });
    f.spec.token_response.expires_in_default.reset();
    tokens = exchangeCode(f.http, f.spec, f.hooks, kClient,
                          exchangeFor(authorizeAtFake(f.spec, f.http)));
    REQUIRE(tokens);
    CHECK_FALSE(tokens.value().expires_in_s.has_value());
  }
  SECTION("expires_in in milliseconds") {
    f.fake.configure([](fakes::Options& o) { o.expires_in_ms = true; });
    f.spec.token_response.expires_in_unit = ExpiresInUnit::Milliseconds;
    const auto tokens = exchangeCode(f.http, f.spec, f.hooks, kClient,
                                     exchangeFor(authorizeAtFake(f.spec, f.http)));
    REQUIRE(tokens);
    CHECK(tokens.value().expires_in_s == 3600);
  }
}

TEST_CASE("errors on HTTP 200 are still errors, classified by code", "[flows]") {
  Fixture f;
  const std::string code = authorizeAtFake(f.spec, f.http);
  REQUIRE(exchangeCode(f.http, f.spec, f.hooks, kClient, exchangeFor(code)));

  SECTION("GitHub style") {
    f.fake.configure([](fakes::Options& o) { o.token_errors_as_200 = true; });
  }
  SECTION("Slack style, ok: false") {
    f.fake.configure([](fakes::Options& o) { o.slack_style = true; });
  }
  SECTION("form-encoded") {
    f.fake.configure([](fakes::Options& o) {
      o.token_errors_as_200 = true;
      o.response_format = fakes::ResponseFormat::Form;
    });
  }
  const auto replay = exchangeCode(f.http, f.spec, f.hooks, kClient, exchangeFor(code));
  REQUIRE_FALSE(replay);
  CHECK(replay.failure().kind == FailureKind::InvalidGrant);
  CHECK(replay.failure().http_status == 200);
  checkNoSecrets(replay.failure().message, {code, kClient.client_secret});
}

TEST_CASE("server errors, garbage, timeouts and unreachable hosts are classified", "[flows]") {
  Fixture f;
  const std::string code = authorizeAtFake(f.spec, f.http);
  SECTION("500 is transient") {
    f.fake.failNext(fakes::Endpoint::Token, 1, {500, {}, "oops"});
    const auto result = exchangeCode(f.http, f.spec, f.hooks, kClient, exchangeFor(code));
    REQUIRE_FALSE(result);
    CHECK(result.failure().kind == FailureKind::Transient);
    CHECK(result.failure().http_status == 500);
  }
  SECTION("429 is transient") {
    f.fake.failNext(fakes::Endpoint::Token, 1, {429, {{"Retry-After", "5"}}, ""});
    const auto result = exchangeCode(f.http, f.spec, f.hooks, kClient, exchangeFor(code));
    REQUIRE_FALSE(result);
    CHECK(result.failure().kind == FailureKind::Transient);
  }
  SECTION("a garbage body is an invalid response") {
    f.fake.configure([](fakes::Options& o) { o.garbage_token_body = true; });
    const auto result = exchangeCode(f.http, f.spec, f.hooks, kClient, exchangeFor(code));
    REQUIRE_FALSE(result);
    CHECK(result.failure().kind == FailureKind::InvalidResponse);
  }
  SECTION("a 400 page that is not JSON is a provider error") {
    f.fake.failNext(fakes::Endpoint::Token, 1,
                    {400, {{"Content-Type", "text/html"}}, "<html>Bad Request</html>"});
    const auto result = exchangeCode(f.http, f.spec, f.hooks, kClient, exchangeFor(code));
    REQUIRE_FALSE(result);
    CHECK(result.failure().kind == FailureKind::ProviderError);
  }
  SECTION("a slow answer times out: transient") {
    f.fake.configure([](fakes::Options& o) {
      o.delays[fakes::Endpoint::Token] = std::chrono::milliseconds(800);
    });
    HttpClientOptions options;
    options.read_timeout = std::chrono::milliseconds(150);
    const HttpClient impatient(options);
    const auto result = exchangeCode(impatient, f.spec, f.hooks, kClient, exchangeFor(code));
    REQUIRE_FALSE(result);
    CHECK(result.failure().kind == FailureKind::Transient);
    CHECK(result.failure().message.find("timed out") != std::string::npos);
  }
  SECTION("an unreachable token endpoint is transient") {
    f.spec.token_url = "http://127.0.0.1:1/oauth/token";
    const auto result = exchangeCode(f.http, f.spec, f.hooks, kClient, exchangeFor(code));
    REQUIRE_FALSE(result);
    CHECK(result.failure().kind == FailureKind::Transient);
  }
}

namespace {

class OddTokens final : public Provider {
 public:
  HookStatus parseTokenResponse(const ProviderSpec&, const ResponseView& response,
                                TokenSet& tokens, std::string& error) noexcept override {
    if (response.body.find("access_token") == std::string_view::npos) {
      error = "no token in it";
      return HookStatus::Failed;
    }
    tokens.access_token = "from-the-hook";
    return HookStatus::Done;
  }
};

}  // namespace

TEST_CASE("a plugin's parseTokenResponse hook takes precedence", "[flows]") {
  Fixture f;
  OddTokens hooks;
  const auto tokens = exchangeCode(f.http, f.spec, hooks, kClient,
                                   exchangeFor(authorizeAtFake(f.spec, f.http)));
  REQUIRE(tokens);
  CHECK(tokens.value().access_token == "from-the-hook");

  f.fake.configure([](fakes::Options& o) { o.garbage_token_body = true; });
  const auto refused = exchangeCode(f.http, f.spec, hooks, kClient,
                                    exchangeFor(authorizeAtFake(f.spec, f.http)));
  REQUIRE_FALSE(refused);
  CHECK(refused.failure().kind == FailureKind::InvalidResponse);
  CHECK(refused.failure().message.find("no token in it") != std::string::npos);
}

TEST_CASE("a connection field unfit for the token_url host stops the exchange", "[flows]") {
  Fixture f;
  f.spec.token_url = "http://${connection.host}/oauth/token";
  CodeExchange exchange = exchangeFor("some-code");
  exchange.connection_fields["host"] = "127.0.0.1/evil";
  const auto result = exchangeCode(f.http, f.spec, f.hooks, kClient, exchange);
  REQUIRE_FALSE(result);
  CHECK(result.failure().kind == FailureKind::InvalidInput);
  CHECK(f.fake.counters().token_requests == 0);
}
