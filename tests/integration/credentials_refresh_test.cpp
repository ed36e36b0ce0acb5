#include <catch2/catch.hpp>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include "core/flows/token_client.hpp"
#include "tests/integration/credentials_harness.hpp"

using namespace keyhop;
using namespace keyhop::credentials;
using keyhop::credentials::testing::EngineFixture;

TEST_CASE("an oauth2_cc connection fetches its token on first use and again when it expires",
          "[credentials]") {
  EngineFixture f;
  const store::ConnectionKey key{f.account_id, f.cc_id, "machine-1"};
  f.connect(key, {});  // what POST /v1/connections stores: only the client registration

  const auto first = f.engine->fresh(key);
  REQUIRE(first);
  const std::string token = first.snapshot().credentials.access_token;
  CHECK_FALSE(token.empty());
  REQUIRE(first.snapshot().credentials.expires_at);
  CHECK(*first.snapshot().credentials.expires_at == f.clock + 3600);
  CHECK(f.stored(key).credentials.access_token == token);  // committed
  CHECK(f.fake.lastRequest(fakes::Endpoint::Token)->body.find("scope=api") != std::string::npos);

  for (int i = 0; i < 5; ++i) {
    const auto again = f.engine->fresh(key);
    REQUIRE(again);
    CHECK(again.snapshot().credentials.access_token == token);
  }
  f.clock += 3600 - 301;  // just outside the 300 s margin
  CHECK(f.engine->fresh(key).snapshot().credentials.access_token == token);
  CHECK(f.fake.counters().client_credentials == 1);

  f.clock += 2;  // inside the margin
  const auto renewed = f.engine->fresh(key);
  REQUIRE(renewed);
  CHECK(renewed.snapshot().credentials.access_token != token);
  CHECK(renewed.snapshot().version > first.snapshot().version);
  CHECK(f.fake.counters().client_credentials == 2);

  f.clock += 7200;  // long expired
  REQUIRE(f.engine->fresh(key));
  CHECK(f.fake.counters().client_credentials == 3);
  CHECK(f.fake.counters().token_errors == 0);
}

TEST_CASE("50 concurrent callers on an expired token cause exactly one refresh", "[credentials]") {
  fakes::Options options;
  options.rotate_refresh_tokens = true;
  options.delays[fakes::Endpoint::Token] = std::chrono::milliseconds(150);  // all pile up
  EngineFixture f(options);
  fakes::TokenPair issued;
  const auto key = f.connectOAuth2("user-1", -10, &issued);

  constexpr int kCallers = 50;
  std::mutex mutex;
  std::condition_variable go;
  bool started = false;
  std::vector<std::string> tokens(kCallers);
  std::vector<std::thread> callers;
  for (int i = 0; i < kCallers; ++i) {
    callers.emplace_back([&, i] {
      {
        std::unique_lock<std::mutex> lock(mutex);
        go.wait(lock, [&] { return started; });
      }
      const auto result = f.engine->fresh(key);
      if (result) tokens[i] = result.snapshot().credentials.access_token;
    });
  }
  {
    std::lock_guard<std::mutex> lock(mutex);
    started = true;
  }
  go.notify_all();
  for (auto& caller : callers) caller.join();

  CHECK(f.fake.counters().refreshes == 1);
  CHECK(f.fake.counters().token_errors == 0);
  const std::set<std::string> distinct(tokens.begin(), tokens.end());
  REQUIRE(distinct.size() == 1);
  CHECK_FALSE(distinct.begin()->empty());
  CHECK(*distinct.begin() != issued.access_token);
  CHECK(f.stored(key).credentials.access_token == *distinct.begin());
}

TEST_CASE("rotation: 50 refreshes in a row never present a stale refresh token", "[credentials]") {
  fakes::Options options;
  options.rotate_refresh_tokens = true;
  EngineFixture f(options);
  fakes::TokenPair issued;
  const auto key = f.connectOAuth2("user-1", 3600, &issued);
  std::vector<std::string> used_refresh_tokens;
  std::string access_token = issued.access_token;

  for (int i = 0; i < 50; ++i) {
    const std::string presented = f.stored(key).credentials.refresh_token;
    // Every other one because the access token expired, the others forced (the provider
    // rejected it).
    const bool forced = i % 2 == 0;
    if (!forced) f.clock += 3600;
    const auto result = f.engine->fresh(key, forced);
    REQUIRE(result);
    const Credentials& credentials = result.snapshot().credentials;
    CHECK(credentials.access_token != access_token);
    CHECK(credentials.refresh_token != presented);
    // The new pair was committed before it was handed out.
    CHECK(f.stored(key).credentials.refresh_token == credentials.refresh_token);
    CHECK(f.fake.lastRequest(fakes::Endpoint::Token)->body.find(presented) != std::string::npos);
    access_token = credentials.access_token;
    used_refresh_tokens.push_back(presented);
  }
  CHECK(f.fake.counters().refreshes == 50);
  CHECK(f.fake.counters().token_errors == 0);

  // The provider takes none of the old ones any more...
  Credentials stale;
  for (const auto& refresh_token : used_refresh_tokens) {
    stale.refresh_token = refresh_token;
    const auto answer = flows::refreshTokens(f.http, f.providers->find("fake-oauth2")->spec,
                                             *f.providers->find("fake-oauth2")->hooks,
                                             {"client-id", "client-secret"}, stale);
    REQUIRE_FALSE(answer);
    CHECK(answer.failure().kind == flows::FailureKind::InvalidGrant);
  }
  // ... and the connection still refreshes with the one keyhop kept.
  REQUIRE(f.engine->fresh(key, true));
  CHECK(f.stored(key).info.status == store::ConnectionStatus::Active);
}

TEST_CASE("a token without an expiry is never refreshed", "[credentials]") {
  fakes::Options options;
  options.access_token_ttl = std::chrono::seconds(0);  // client credentials that never expire
  EngineFixture f(options);
  const auto key = f.connectOAuth2("user-1", std::nullopt);
  const store::ConnectionKey machine{f.account_id, f.cc_id, "machine-1"};
  f.connect(machine, {});

  REQUIRE(f.engine->fresh(machine));
  CHECK_FALSE(f.engine->fresh(machine).snapshot().credentials.expires_at);
  for (int i = 0; i < 3; ++i) {
    f.clock += 10 * 365 * 86400;
    REQUIRE(f.engine->fresh(key));
    REQUIRE(f.engine->fresh(machine));
  }
  CHECK(f.fake.counters().refreshes == 0);
  CHECK(f.fake.counters().client_credentials == 1);  // the first use only
}

TEST_CASE("a cached connection is served without the store until it is stale or invalidated",
          "[credentials]") {
  auto options = credentials::testing::quickEngine();
  options.cache_max_age = std::chrono::milliseconds(200);
  EngineFixture f({}, options);
  const auto key = f.connectOAuth2("user-1", 3600);
  REQUIRE(f.engine->fresh(key));

  // Deleted behind the engine's back: the cache still answers, so it did not ask the store.
  REQUIRE(f.store->deleteConnection(f.account_id, f.stored(key).info.id));
  CHECK(f.engine->fresh(key));
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  const auto aged = f.engine->fresh(key);
  REQUIRE_FALSE(aged);
  CHECK(aged.failure().kind == FailureKind::NotFound);

  const auto again = f.connectOAuth2("user-2", 3600);
  REQUIRE(f.engine->fresh(again));
  REQUIRE(f.store->deleteConnection(f.account_id, f.stored(again).info.id));
  f.engine->invalidate(again);
  CHECK(f.engine->fresh(again).failure().kind == FailureKind::NotFound);
}

TEST_CASE("a forced refresh after another writer renewed the token uses the stored one",
          "[credentials]") {
  fakes::Options options;
  options.rotate_refresh_tokens = true;
  EngineFixture f(options);
  const auto key = f.connectOAuth2("user-1", 3600);
  // Another instance on the same database, with its own cache.
  CredentialsEngine other(*f.providers, *f.store, f.http, credentials::testing::quickEngine());
  const auto seen = f.engine->fresh(key);
  REQUIRE(seen);

  const auto renewed = other.fresh(key, true);
  REQUIRE(renewed);
  CHECK(f.fake.counters().refreshes == 1);

  // The provider rejected the token this instance holds: the store already has a newer one.
  const auto forced = f.engine->fresh(key, true);
  REQUIRE(forced);
  CHECK(forced.snapshot().credentials.access_token == renewed.snapshot().credentials.access_token);
  CHECK(forced.snapshot().version == renewed.snapshot().version);
  CHECK(f.fake.counters().refreshes == 1);
  CHECK(f.fake.counters().token_errors == 0);

  // A reconnect (new credentials, new version) is also picked up by a forced refresh.
  const auto reconnected = f.connectOAuth2("user-1", 3600);
  const auto after = f.engine->fresh(reconnected, true);
  REQUIRE(after);
  CHECK(after.snapshot().credentials.access_token == f.stored(key).credentials.access_token);
  CHECK(f.fake.counters().refreshes == 1);
}
