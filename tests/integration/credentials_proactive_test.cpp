#include <catch2/catch.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/credentials/proactive_refresher.hpp"
#include "tests/integration/credentials_harness.hpp"
#include "tests/integration/store_backends.hpp"

using namespace keyhop;
using namespace keyhop::credentials;
using keyhop::credentials::testing::EngineFixture;
using Clock = std::chrono::steady_clock;

namespace {

ProactiveOptions quickPasses(EngineFixture& f, std::size_t concurrency = 8) {
  ProactiveOptions options;
  options.scan_interval = std::chrono::milliseconds(200);
  options.jitter = std::chrono::milliseconds(0);
  options.concurrency = concurrency;
  options.page_size = 64;  // several pages
  options.now = [&f] { return f.clock.load(); };
  return options;
}

struct Seeded {
  std::vector<store::ConnectionKey> keys;
  std::vector<fakes::TokenPair> tokens;  // as issued, in the order of keys
};

// `count` connections of the integration, users "<prefix>0", "<prefix>1", ..., holding tokens
// the fake issued that expire `expires_in` from the fixture's clock (empty: never), stored in
// one transaction.
Seeded seed(EngineFixture& f, const std::string& integration_id, int count,
            std::optional<std::int64_t> expires_in, const std::string& prefix = "user-") {
  Seeded seeded;
  std::vector<store::NewConnection> batch;
  for (int i = 0; i < count; ++i) {
    const std::string user = prefix + std::to_string(i);
    const auto tokens = f.fake.issueTokens(user);
    store::NewConnection connection;
    connection.key = {f.account_id, integration_id, user};
    connection.credentials.access_token = tokens.access_token;
    connection.credentials.refresh_token = tokens.refresh_token;
    if (expires_in) connection.credentials.expires_at = f.clock.load() + *expires_in;
    connection.raw_token_response = "{}";
    batch.push_back(connection);
    seeded.keys.push_back(connection.key);
    seeded.tokens.push_back(tokens);
  }
  for (const auto& result : f.store->upsertConnections(batch)) REQUIRE(result);
  return seeded;
}

// Waits until `done()` or `timeout`; returns done().
template <typename Done>
bool eventually(Done&& done, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  const auto deadline = Clock::now() + timeout;
  while (!done() && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

}  // namespace

TEST_CASE("1,000 connections expiring within the margin are renewed before expiry, 8 at a time",
          "[credentials]") {
  fakes::Options options;
  options.rotate_refresh_tokens = true;
  options.delays[fakes::Endpoint::Token] = std::chrono::milliseconds(15);  // overlapping calls
  EngineFixture f(options);
  constexpr std::int64_t kExpiresIn = 120;  // within fake-oauth2's 300 s margin
  const std::int64_t expires_at = f.clock + kExpiresIn;
  const Seeded seeded = seed(f, f.oauth2_id, 1000, kExpiresIn);

  ProactiveRefresher refresher(*f.providers, *f.store, *f.engine, quickPasses(f, 8));
  REQUIRE(refresher.waitForPasses(1, std::chrono::seconds(60)));
  const auto counters = f.fake.counters();
  CHECK(counters.refreshes == 1000);
  CHECK(counters.token_errors == 0);
  CHECK(counters.token_peak_in_flight <= 8);
  CHECK(counters.token_peak_in_flight >= 4);  // concurrent for real, not one after another
  const ProactiveStats stats = refresher.stats();
  CHECK(stats.renewed == 1000);
  CHECK(stats.failed == 0);

  for (std::size_t i = 0; i < seeded.keys.size(); ++i) {
    const store::Connection stored = f.stored(seeded.keys[i]);
    CHECK(stored.credentials.access_token != seeded.tokens[i].access_token);
    CHECK(stored.credentials.refresh_token != seeded.tokens[i].refresh_token);
    CHECK(stored.credentials.expires_at == f.clock + 3600);
    REQUIRE(stored.info.last_refresh_at);
    CHECK(*stored.info.last_refresh_at < expires_at);  // before the old token expired
  }
  // The hot path gets the renewed tokens from the cache, without a refresh of its own.
  const auto& key = seeded.keys.front();
  REQUIRE(f.engine->cachedFresh(key.account_id, key.integration_id, key.user_id));

  // Nothing is due any more: the next pass renews nothing.
  REQUIRE(refresher.waitForPasses(2, std::chrono::seconds(10)));
  CHECK(f.fake.counters().refreshes == 1000);
}

TEST_CASE("keepalive_days renews idle refresh tokens, and tokens that never expire are left alone",
          "[credentials]") {
  fakes::Options options;
  options.rotate_refresh_tokens = true;
  EngineFixture f(options);
  const std::string idle_id = f.integration("idle", "fake-keepalive");
  constexpr std::int64_t kFarAway = 90 * 86400;  // no expiry-driven renewal in this test
  const Seeded idle = seed(f, idle_id, 1, kFarAway, "idle-");
  const Seeded recently_renewed = seed(f, idle_id, 1, kFarAway, "renewed-");
  const Seeded idle_forever = seed(f, idle_id, 1, std::nullopt, "forever-");
  const Seeded no_keepalive = seed(f, f.oauth2_id, 1, kFarAway, "plain-");
  const Seeded never_expires = seed(f, f.oauth2_id, 3, std::nullopt, "never-");
  const store::ConnectionKey machine{f.account_id, f.cc_id, "machine-1"};
  f.connect(machine, {});
  REQUIRE(f.engine->fresh(machine));  // a client-credentials token, expiring in an hour
  f.fake.resetCounters();

  // Age the rows: created 31 days ago; one of them refreshed 10 days ago.
  {
    auto session = store::testing::rawSession("sqlite://" + (f.dir.path() / "keyhop.db").string());
    using Poco::Data::Keywords::now;
    session << "UPDATE connections SET created_at = created_at - 31 * 86400", now;
    session << "UPDATE connections SET last_refresh_at = created_at + 21 * 86400"
               " WHERE user_id = 'renewed-0'",
        now;
  }

  ProactiveRefresher refresher(*f.providers, *f.store, *f.engine, quickPasses(f));
  REQUIRE(refresher.waitForPasses(2, std::chrono::seconds(10)));
  CHECK(f.fake.counters().refreshes == 1);
  CHECK(f.fake.counters().client_credentials == 0);
  CHECK(f.fake.counters().token_errors == 0);
  const store::Connection renewed = f.stored(idle.keys.front());
  CHECK(renewed.credentials.refresh_token != idle.tokens.front().refresh_token);
  CHECK(renewed.credentials.expires_at == f.clock + 3600);
  for (const auto* untouched : {&recently_renewed, &idle_forever, &no_keepalive, &never_expires}) {
    for (std::size_t i = 0; i < untouched->keys.size(); ++i) {
      CHECK(f.stored(untouched->keys[i]).credentials.access_token ==
            untouched->tokens[i].access_token);
    }
  }

  // Years later every token with an expiry has expired and is renewed: the three oauth2 ones
  // with a refresh token, the client-credentials one with a new token. Those without an expiry
  // are still untouched.
  f.clock += 10 * 365 * 86400;
  REQUIRE(refresher.waitForPasses(refresher.stats().passes + 2, std::chrono::seconds(10)));
  CHECK(f.fake.counters().client_credentials == 1);
  CHECK(f.fake.counters().refreshes == 1 + 3);
  CHECK(f.fake.counters().token_errors == 0);
  for (const auto* untouched : {&idle_forever, &never_expires}) {
    for (std::size_t i = 0; i < untouched->keys.size(); ++i) {
      CHECK(f.stored(untouched->keys[i]).credentials.access_token ==
            untouched->tokens[i].access_token);
    }
  }
}

TEST_CASE("a failed proactive refresh keeps the connection and is retried at a later pass",
          "[credentials]") {
  fakes::Options options;
  options.rotate_refresh_tokens = true;
  EngineFixture f(options);
  const Seeded seeded = seed(f, f.oauth2_id, 20, 120);
  f.fake.failNext(fakes::Endpoint::Token, 5, {503, {}, "busy"});

  ProactiveRefresher refresher(*f.providers, *f.store, *f.engine, quickPasses(f, 2));
  REQUIRE(eventually([&] { return refresher.stats().renewed == 20; }));
  CHECK(refresher.stats().failed == 5);
  CHECK(f.fake.counters().refreshes == 25);
  CHECK(f.fake.counters().token_errors == 5);
  for (std::size_t i = 0; i < seeded.keys.size(); ++i) {
    const store::Connection stored = f.stored(seeded.keys[i]);
    CHECK(stored.info.status == store::ConnectionStatus::Active);
    CHECK(stored.credentials.refresh_token != seeded.tokens[i].refresh_token);
  }
}

TEST_CASE("the proactive refresher stops promptly and loses no rotated token", "[credentials]") {
  fakes::Options options;
  options.rotate_refresh_tokens = true;
  // Below the fixture's 300 ms read timeout: a renewal that timed out after the provider
  // rotated would lose the new refresh token for real (the provider's fault, not keyhop's).
  options.delays[fakes::Endpoint::Token] = std::chrono::milliseconds(150);
  EngineFixture f(options);

  SECTION("idle between passes") {
    auto passes = quickPasses(f);
    passes.scan_interval = std::chrono::minutes(10);
    ProactiveRefresher refresher(*f.providers, *f.store, *f.engine, passes);
    REQUIRE(refresher.waitForPasses(1, std::chrono::seconds(10)));
    const auto started = Clock::now();
    refresher.stop();
    CHECK(Clock::now() - started < std::chrono::milliseconds(200));
  }

  SECTION("with renewals in flight and more queued") {
    const Seeded seeded = seed(f, f.oauth2_id, 50, 120);
    ProactiveRefresher refresher(*f.providers, *f.store, *f.engine, quickPasses(f, 2));
    REQUIRE(eventually([&] { return f.fake.counters().token_peak_in_flight == 2; }));
    const auto started = Clock::now();
    refresher.stop();
    // Only the two in flight were waited for.
    CHECK(Clock::now() - started < std::chrono::milliseconds(1000));
    const int refreshed = f.fake.counters().refreshes;
    CHECK(refreshed <= 4);
    CHECK(refresher.stats().renewed == static_cast<std::uint64_t>(refreshed));

    // Every stored refresh token is the one the provider takes: nothing was lost.
    f.fake.configure([](fakes::Options& o) { o.delays.clear(); });
    for (const auto& key : seeded.keys) REQUIRE(f.engine->fresh(key, true));
    CHECK(f.fake.counters().refreshes == refreshed + 50);
    CHECK(f.fake.counters().token_errors == 0);
  }
}
