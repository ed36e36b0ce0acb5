// Callbacks and connect links that must not connect anyone: replayed, expired, unknown or
// foreign state, replayed or misdirected connect sessions, replayed codes, a wrong PKCE verifier,
// and return URLs that are not (or no longer) allowed. Each names its error, stores nothing and
// leaves the fake's counters as expected.

#include <Poco/Data/Session.h>

#include <catch2/catch.hpp>
#include <regex>

#include "tests/integration/connect_harness.hpp"

using namespace keyhop;
using authorization::testing::ConnectFixture;
using authorization::testing::generatedSecret;
using authorization::testing::kReturnUrls;
using server::testing::errorCode;
using test::queryValue;

namespace {

// The callback URL with its `state` replaced.
std::string withState(const std::string& callback, const std::string& state) {
  Poco::URI uri(callback);
  Poco::URI::QueryParameters params;
  for (auto [name, value] : uri.getQueryParameters()) {
    params.emplace_back(name, name == "state" ? state : value);
  }
  uri.setQueryParameters(params);
  return uri.toString();
}

std::string withCode(const std::string& callback, const std::string& code) {
  Poco::URI uri(callback);
  Poco::URI::QueryParameters params;
  for (auto [name, value] : uri.getQueryParameters()) {
    params.emplace_back(name, name == "code" ? code : value);
  }
  uri.setQueryParameters(params);
  return uri.toString();
}

}  // namespace

TEST_CASE("A replayed callback is invalid_state and leaves the connection as it was", "[connect]") {
  ConnectFixture f;
  f.oauthIntegration("crm", "fake-oauth2");
  const auto callback = f.walk(f.connectUrl("crm", "user-1"), true).callback;
  REQUIRE_FALSE(callback.empty());

  REQUIRE(f.get(callback).status == 200);
  const auto before = f.stored("crm", "user-1");
  REQUIRE(before);
  const auto replay = f.get(callback);
  CHECK(replay.status == 400);
  CHECK(replay.header("Keyhop-Error") == "invalid_state");
  const auto after = f.stored("crm", "user-1");
  REQUIRE(after);
  CHECK(after->info.version == before->info.version);
  CHECK(after->credentials.access_token == before->credentials.access_token);
  CHECK(f.fake.counters().code_exchanges == 1);
  f.checkNoSecretsLeaked();
}

TEST_CASE("An expired state is invalid_state, the same callback in time connects", "[connect]") {
  // The routes' state TTL is fixed (600 s): the expired state is stored directly, with a real
  // code from the fake for it.
  ConnectFixture f;
  f.oauthIntegration("crm", "fake-oauth2");
  const auto verifier = flows::makePkce().verifier;

  const auto expired = f.forgedCallback("crm", "user-1", verifier, verifier, store::unixNow() - 1);
  const auto answer = f.get(expired);
  CHECK(answer.status == 400);
  CHECK(answer.header("Keyhop-Error") == "invalid_state");
  CHECK(f.fake.counters().code_exchanges == 0);
  CHECK(f.connectionCount() == 0);

  // The control: the same forgery with time left is a valid callback.
  const auto in_time =
      f.forgedCallback("crm", "user-2", verifier, verifier, store::unixNow() + 600);
  CHECK(f.get(in_time).status == 200);
  CHECK(f.stored("crm", "user-2"));
  CHECK_FALSE(f.stored("crm", "user-1"));
  f.checkNoSecretsLeaked();
}

TEST_CASE("An unknown, forged or missing state is invalid_state", "[connect]") {
  ConnectFixture f;
  f.oauthIntegration("crm", "fake-oauth2");
  const auto callback = f.walk(f.connectUrl("crm", "user-1", kReturnUrls[0]), true).callback;
  REQUIRE_FALSE(callback.empty());
  std::string state = queryValue(callback, "state");
  std::string altered = state;
  altered.back() = altered.back() == 'A' ? 'B' : 'A';

  for (const std::string& url :
       {withState(callback, store::newOAuthStateToken()), withState(callback, altered),
        withState(callback, ""), f.callbackUrl() + "?code=" + queryValue(callback, "code")}) {
    INFO(url);
    const auto answer = f.get(url);
    CHECK(answer.status == 400);
    CHECK(answer.header("Keyhop-Error") == "invalid_state");
    CHECK(answer.header("Location").empty());  // no state: no return URL known
  }
  CHECK(f.fake.counters().code_exchanges == 0);
  CHECK(f.connectionCount() == 0);
  // The real state was not used up by the forgeries.
  CHECK(queryValue(f.walk(callback).left_to, "status") == "connected");
  f.checkNoSecretsLeaked();
}

TEST_CASE("A connect session is used once, and only on its own integration's path", "[connect]") {
  ConnectFixture f;
  f.oauthIntegration("crm", "fake-oauth2");
  f.oauthIntegration("other", "fake-oauth2");

  SECTION("replayed") {
    const auto url = f.connectUrl("crm", "user-1");
    REQUIRE_FALSE(f.walk(url, true).callback.empty());
    const auto replay = f.get(url);
    CHECK(replay.status == 400);
    CHECK(replay.header("Keyhop-Error") == "invalid_session");
    CHECK(f.fake.counters().authorize == 1);
  }
  SECTION("on another integration's path: session_mismatch, and the session is spent") {
    const auto url = f.connectUrl("crm", "user-1");
    const auto elsewhere =
        std::regex_replace(url, std::regex("/connect/crm\\?"), "/connect/other?");
    REQUIRE(elsewhere != url);
    const auto answer = f.get(elsewhere);
    CHECK(answer.status == 400);
    CHECK(answer.header("Keyhop-Error") == "session_mismatch");
    CHECK(f.get(url).header("Keyhop-Error") == "invalid_session");
    CHECK(f.fake.counters().authorize == 0);
  }
  CHECK(f.connectionCount() == 0);
  f.checkNoSecretsLeaked();
}

TEST_CASE("A replayed code is invalid_grant and changes nothing", "[connect]") {
  ConnectFixture f;
  f.oauthIntegration("crm", "fake-oauth2");
  const auto first = f.walk(f.connectUrl("crm", "user-1"), true).callback;
  REQUIRE(f.get(first).status == 200);
  const auto before = f.stored("crm", "user-1");
  REQUIRE(before);

  // A new authorization of the same user whose callback carries the first, spent code.
  const auto second = f.walk(f.connectUrl("crm", "user-1", kReturnUrls[0]), true).callback;
  const auto replay = f.walk(withCode(second, queryValue(first, "code")));
  CHECK(queryValue(replay.left_to, "status") == "error");
  CHECK(queryValue(replay.left_to, "error") == "invalid_grant");
  CHECK(queryValue(replay.left_to, "user_id") == "user-1");

  const auto after = f.stored("crm", "user-1");
  REQUIRE(after);
  CHECK(after->info.version == before->info.version);
  CHECK(after->credentials.access_token == before->credentials.access_token);
  const auto counters = f.fake.counters();
  CHECK(counters.code_exchanges == 2);
  CHECK(counters.token_errors == 1);
  f.checkNoSecretsLeaked();
}

TEST_CASE("A wrong PKCE verifier is invalid_grant", "[connect]") {
  ConnectFixture f;
  f.oauthIntegration("crm", "fake-oauth2");
  // The stored state holds another verifier than the one the code's challenge was made from.
  const auto callback = f.forgedCallback("crm", "user-1", flows::makePkce().verifier,
                                         flows::makePkce().verifier, store::unixNow() + 600);
  const auto answer = f.get(callback);
  CHECK(answer.status == 400);
  CHECK(answer.header("Keyhop-Error") == "invalid_grant");
  const auto counters = f.fake.counters();
  CHECK(counters.code_exchanges == 1);
  CHECK(counters.token_errors == 1);
  CHECK(f.connectionCount() == 0);
  f.checkNoSecretsLeaked();
}

TEST_CASE("A provider that requires PKCE refuses a descriptor that turns it off", "[connect]") {
  ConnectFixture f([](fakes::Options& o) { o.pkce = fakes::PkcePolicy::Required; });
  f.oauthIntegration("nopkce", "fake-nopkce");
  const auto walk = f.connect("nopkce", "user-1");
  CHECK(queryValue(walk.visited.at(1), "code_challenge").empty());
  CHECK(walk.last.status == 400);
  CHECK(walk.last.header("Keyhop-Error") == "provider_error");
  CHECK(walk.last.body.find("invalid_request") != std::string::npos);
  CHECK(f.fake.counters().code_exchanges == 0);
  CHECK(f.connectionCount() == 0);
  f.checkNoSecretsLeaked();
}

TEST_CASE("State from another account cannot redeem this account's code", "[connect]") {
  const std::string beta_secret = generatedSecret("fake-client-secret-b");
  ConnectFixture f([&](fakes::Options& o) {
    o.clients = {{"client-a", o.clients.front().secret, {}}, {"client-b", beta_secret, {}}};
  });
  f.more_secrets.push_back(beta_secret);
  const std::string beta_key = f.api.account("beta");
  const std::string beta_id = f.api.accountId(beta_key);
  f.oauthIntegration("crm", "fake-oauth2", "client-a");
  f.oauthIntegration("crm", "fake-oauth2", "client-b", beta_secret, beta_key);

  const auto alpha = f.walk(f.connectUrl("crm", "user-1"), true).callback;
  const auto beta = f.walk(f.connectUrl("crm", "user-1", "", "", beta_key), true).callback;
  REQUIRE_FALSE(alpha.empty());
  REQUIRE_FALSE(beta.empty());

  // Account A's code with account B's state: B's client presents a code issued to A's.
  const auto answer = f.get(withState(alpha, queryValue(beta, "state")));
  CHECK(answer.status == 400);
  CHECK(answer.header("Keyhop-Error") == "invalid_grant");
  CHECK(f.fake.counters().code_exchanges == 1);
  CHECK(f.fake.counters().token_errors == 1);
  CHECK_FALSE(f.stored("crm", "user-1"));
  CHECK_FALSE(f.stored("crm", "user-1", beta_id));
  f.checkNoSecretsLeaked();
}

TEST_CASE("A return URL that is not allowed is refused, and one no longer allowed is not used",
          "[connect]") {
  ConnectFixture f;
  f.oauthIntegration("crm", "fake-oauth2");

  const auto refused = f.api.call(
      "POST", "/v1/connect-sessions", f.key,
      R"({"integration":"crm","user_id":"user-1","return_url":"https://evil.example/done"})");
  CHECK(refused.status == 400);
  CHECK(errorCode(refused) == "return_url_not_allowed");

  // Minted while allowed; the integration's list then changes under it.
  const auto url = f.connectUrl("crm", "user-1", kReturnUrls[0]);
  const auto integration = f.api.store().findIntegrationByName(f.account_id, "crm");
  REQUIRE(integration);
  std::string id = integration->info.id;
  std::string urls = R"(["http://127.0.0.1:3000/cb"])";
  auto raw = store::testing::rawSession("sqlite://" + (f.api.dir().path() / "keyhop.db").string());
  raw << "UPDATE integrations SET allowed_return_urls = ? WHERE id = ?",
      Poco::Data::Keywords::use(urls), Poco::Data::Keywords::use(id), Poco::Data::Keywords::now;

  const auto walk = f.walk(url);
  CHECK(walk.left_to.empty());
  CHECK(walk.last.status == 200);  // connected, told on the page instead
  CHECK(walk.last.header("Location").empty());
  CHECK(walk.last.body.find("app.example") == std::string::npos);
  CHECK(walk.last.body.find("postMessage(message, \"http://127.0.0.1:3000\")") !=
        std::string::npos);
  f.checkNoSecretsLeaked();
}
