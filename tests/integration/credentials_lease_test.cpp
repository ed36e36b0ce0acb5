// The refresh lease as the credentials engine uses it, in one process: two engines on one store
// stand for two instances; a lease taken straight from the store stands for an instance that
// died holding it. The same across real processes: credentials_instances_test.cpp.

#include <catch2/catch.hpp>
#include <chrono>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "tests/integration/credentials_harness.hpp"

using namespace keyhop;
using namespace keyhop::credentials;
using keyhop::credentials::testing::EngineFixture;
using keyhop::credentials::testing::quickEngine;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

namespace {

fakes::Options rotating(milliseconds token_delay = milliseconds(0)) {
  fakes::Options options;
  options.rotate_refresh_tokens = true;
  if (token_delay.count() > 0) options.delays[fakes::Endpoint::Token] = token_delay;
  return options;
}

// A second instance on the fixture's store: its own cache, single flight and HTTP client, with
// timeouts short enough for a short lease.
struct SecondInstance {
  explicit SecondInstance(EngineFixture& f, milliseconds lease = milliseconds(600)) {
    EngineOptions options = quickEngine();
    options.refresh_lease = lease;
    options.now = [&f] { return f.clock.load(); };
    engine = std::make_unique<CredentialsEngine>(*f.providers, *f.store, http, options);
  }

  static flows::HttpClientOptions shortTimeouts() {
    flows::HttpClientOptions options;
    options.connect_timeout = milliseconds(200);
    options.read_timeout = milliseconds(300);
    return options;
  }

  flows::HttpClient http{shortTimeouts()};
  std::unique_ptr<CredentialsEngine> engine;
};

std::string connectionId(EngineFixture& f, const store::ConnectionKey& key) {
  return f.stored(key).info.id;
}

}  // namespace

TEST_CASE("two engines on one store refresh an expired connection once between them",
          "[credentials]") {
  EngineFixture f(rotating(milliseconds(200)));  // the refresh is in flight while all arrive
  SecondInstance other(f);
  fakes::TokenPair issued;
  const auto key = f.connectOAuth2("user-1", -10, &issued);

  constexpr int kCallers = 40;
  std::vector<std::string> tokens(kCallers);
  std::vector<std::thread> callers;
  for (int i = 0; i < kCallers; ++i) {
    callers.emplace_back([&, i] {
      CredentialsEngine& engine = i % 2 == 0 ? *f.engine : *other.engine;
      const auto result = engine.fresh(key);
      if (result) tokens[i] = result.snapshot().credentials.access_token;
    });
  }
  for (auto& caller : callers) caller.join();

  CHECK(std::set<std::string>(tokens.begin(), tokens.end()).size() == 1);
  CHECK_FALSE(tokens.front().empty());
  CHECK(tokens.front() != issued.access_token);
  CHECK(f.fake.counters().refreshes == 1);
  CHECK(f.fake.counters().token_errors == 0);
  const auto stored = f.stored(key);
  CHECK(stored.credentials.access_token == tokens.front());
  CHECK(stored.info.status == store::ConnectionStatus::Active);
  // Released after the write: the next one takes it at once.
  CHECK(f.store->acquireRefreshLease(stored.info.id, stored.info.version, milliseconds(10)));
}

TEST_CASE("a lease left by a dead instance is taken over when it expires", "[credentials]") {
  EngineFixture f(rotating());
  SecondInstance survivor(f);
  fakes::TokenPair issued;
  const auto key = f.connectOAuth2("user-1", -10, &issued);
  const auto stored = f.stored(key);
  // Taken, then never released nor written: its holder died mid-refresh.
  REQUIRE(f.store->acquireRefreshLease(stored.info.id, stored.info.version, milliseconds(400)));

  const auto start = Clock::now();
  const auto result = survivor.engine->fresh(key);
  const auto waited = Clock::now() - start;
  REQUIRE(result);
  CHECK(waited >= milliseconds(300));
  CHECK(waited < milliseconds(2000));
  CHECK(result.snapshot().credentials.access_token != issued.access_token);
  CHECK(f.stored(key).credentials.refresh_token != issued.refresh_token);
  CHECK(f.fake.counters().refreshes == 1);
}

TEST_CASE("while another instance holds the lease, a token still valid is served at once",
          "[credentials]") {
  EngineFixture f(rotating());
  fakes::TokenPair issued;
  const auto key = f.connectOAuth2("user-1", 100, &issued);  // inside the 300 s margin
  const auto stored = f.stored(key);
  REQUIRE(f.store->acquireRefreshLease(stored.info.id, stored.info.version, milliseconds(30000)));

  const auto start = Clock::now();
  const auto result = f.engine->fresh(key);
  REQUIRE(result);
  CHECK(result.snapshot().credentials.access_token == issued.access_token);
  CHECK(Clock::now() - start < milliseconds(1000));
  CHECK(f.fake.counters().token_requests == 0);
}

TEST_CASE("an instance waiting for the lease uses the holder's result", "[credentials]") {
  EngineFixture f(rotating());
  SecondInstance waiter(f, milliseconds(5000));
  fakes::TokenPair issued;
  const auto key = f.connectOAuth2("user-1", -10, &issued);
  const auto stored = f.stored(key);
  const auto held =
      f.store->acquireRefreshLease(stored.info.id, stored.info.version, milliseconds(5000));
  REQUIRE(held);

  std::thread holder([&] {
    // The holder writes its renewal a moment later, then releases the lease.
    std::this_thread::sleep_for(milliseconds(200));
    Credentials renewed = stored.credentials;
    renewed.access_token = "renewed-elsewhere";
    renewed.expires_at = f.clock.load() + 3600;
    CHECK(f.store->updateCredentials(stored.info.id, stored.info.version, renewed, "{}"));
    CHECK(f.store->releaseRefreshLease(stored.info.id, held.owner));
  });
  const auto start = Clock::now();
  const auto result = waiter.engine->fresh(key);
  holder.join();
  REQUIRE(result);
  CHECK(result.snapshot().credentials.access_token == "renewed-elsewhere");
  CHECK(Clock::now() - start < milliseconds(2000));  // not the 5 s lease
  CHECK(f.fake.counters().token_requests == 0);
}

TEST_CASE("a failed refresh releases its lease", "[credentials]") {
  EngineFixture f(rotating());
  fakes::TokenPair issued;
  const auto key = f.connectOAuth2("user-1", -10, &issued);
  const std::string id = connectionId(f, key);

  SECTION("transient") {
    f.fake.failNext(fakes::Endpoint::Token, 1, {503, {}, ""});
    const auto failed = f.engine->fresh(key);
    REQUIRE_FALSE(failed);
    CHECK(failed.failure().kind == FailureKind::RefreshUnavailable);
    CHECK(f.store->acquireRefreshLease(id, f.stored(key).info.version, milliseconds(10)));
  }
  SECTION("invalid_grant") {
    REQUIRE(f.fake.revokeToken(issued.refresh_token));
    const auto failed = f.engine->fresh(key);
    REQUIRE_FALSE(failed);
    CHECK(failed.failure().kind == FailureKind::NeedsReauth);
    CHECK(f.store->acquireRefreshLease(id, f.stored(key).info.version, milliseconds(10)));
  }
}

TEST_CASE("the engine refuses a lease no longer than the token endpoint's timeouts",
          "[credentials]") {
  EngineFixture f;
  EngineOptions options;
  options.refresh_lease = milliseconds(1300);  // quickHttp: 1000 ms connect + 300 ms read
  CHECK_THROWS_AS(CredentialsEngine(*f.providers, *f.store, f.http, options),
                  std::invalid_argument);
  options.refresh_lease = milliseconds(1301);
  CHECK_NOTHROW(CredentialsEngine(*f.providers, *f.store, f.http, options));
}
