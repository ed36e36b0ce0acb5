// Refresh leases on connections, every case on both backends (SQLite and a real PostgreSQL):
// what keeps instances sharing a store from refreshing one connection twice.

#include <Poco/Nullable.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>
#include <vector>

#include "tests/integration/store_harness.hpp"

using namespace keyhop;
using namespace keyhop::store;
using namespace keyhop::store::testing;
using Poco::Data::Keywords::bind;
using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;
using std::chrono::milliseconds;

namespace {

constexpr milliseconds kLong{30000};
constexpr milliseconds kShort{30};

void waitOut(milliseconds lease) { std::this_thread::sleep_for(lease + milliseconds(30)); }

}  // namespace

TEMPLATE_TEST_CASE("leases: a held lease refuses a second taker until released", "[store]",
                   SqliteBackend, PostgresBackend) {
  StoreHarness<TestType> h;
  const std::string acme = h.account();
  const ConnectionInfo info = h.connect(acme, h.integration(acme), "user-1", tokens("a1", "r1"));

  const auto first = h.store->acquireRefreshLease(info.id, 1, kLong);
  REQUIRE(first);
  CHECK_THAT(first.owner, Catch::StartsWith("lease_"));
  CHECK(first.remaining == kLong);

  const auto second = h.store->acquireRefreshLease(info.id, 1, kLong);
  CHECK(second.outcome == LeaseOutcome::Held);
  CHECK(second.owner.empty());
  CHECK(second.remaining > milliseconds(25000));
  CHECK(second.remaining <= kLong);

  // Taking a lease is not a change of the connection: caches keyed by version stay valid.
  CHECK(h.store->findConnectionById(info.id)->info.version == 1);
  CHECK(h.store->acquireRefreshLease(info.id, 0, kLong).outcome == LeaseOutcome::VersionMismatch);
  CHECK(h.store->acquireRefreshLease("con_missing", 1, kLong).outcome == LeaseOutcome::NotFound);

  REQUIRE(h.store->releaseRefreshLease(info.id, first.owner));
  CHECK_FALSE(h.store->releaseRefreshLease(info.id, first.owner));  // once
  const auto again = h.store->acquireRefreshLease(info.id, 1, kLong);
  REQUIRE(again);
  CHECK(again.owner != first.owner);
}

TEMPLATE_TEST_CASE("leases: a version read before another write cannot take the lease", "[store]",
                   SqliteBackend, PostgresBackend) {
  StoreHarness<TestType> h;
  const std::string acme = h.account();
  const ConnectionInfo info = h.connect(acme, h.integration(acme), "user-1", tokens("a1", "r1"));
  REQUIRE(h.store->updateCredentials(info.id, 1, tokens("a2", "r2"), "{}"));

  CHECK(h.store->acquireRefreshLease(info.id, 1, kLong).outcome == LeaseOutcome::VersionMismatch);
  CHECK(h.store->acquireRefreshLease(info.id, 2, kLong));
}

TEMPLATE_TEST_CASE("leases: an expired lease is taken over", "[store]", SqliteBackend,
                   PostgresBackend) {
  StoreHarness<TestType> h;
  const std::string acme = h.account();
  const ConnectionInfo info = h.connect(acme, h.integration(acme), "user-1", tokens("a1", "r1"));

  const auto dead = h.store->acquireRefreshLease(info.id, 1, kShort);
  REQUIRE(dead);
  waitOut(kShort);
  const auto taker = h.store->acquireRefreshLease(info.id, 1, kLong);
  REQUIRE(taker);
  CHECK(taker.owner != dead.owner);
  // The lease is the taker's now: the first holder can no longer release it.
  CHECK_FALSE(h.store->releaseRefreshLease(info.id, dead.owner));
  CHECK(h.store->acquireRefreshLease(info.id, 1, kLong).outcome == LeaseOutcome::Held);
}

TEMPLATE_TEST_CASE("leases: only the owner releases a lease", "[store]", SqliteBackend,
                   PostgresBackend) {
  StoreHarness<TestType> h;
  const std::string acme = h.account();
  const ConnectionInfo info = h.connect(acme, h.integration(acme), "user-1", tokens("a1", "r1"));

  const auto held = h.store->acquireRefreshLease(info.id, 1, kLong);
  REQUIRE(held);
  CHECK_FALSE(h.store->releaseRefreshLease(info.id, "lease_someone-else"));
  CHECK_FALSE(h.store->releaseRefreshLease(info.id, ""));
  CHECK(h.store->acquireRefreshLease(info.id, 1, kLong).outcome == LeaseOutcome::Held);
  CHECK_FALSE(h.store->releaseRefreshLease("con_missing", held.owner));
  CHECK(h.store->releaseRefreshLease(info.id, held.owner));
}

TEMPLATE_TEST_CASE("leases: a holder whose lease was taken over cannot write its stale result",
                   "[store]", SqliteBackend, PostgresBackend) {
  StoreHarness<TestType> h;
  const std::string acme = h.account();
  const ConnectionInfo info = h.connect(acme, h.integration(acme), "user-1", tokens("a1", "r1"));

  const auto slow = h.store->acquireRefreshLease(info.id, 1, kShort);
  REQUIRE(slow);
  waitOut(kShort);
  const auto taker = h.store->acquireRefreshLease(info.id, 1, kLong);
  REQUIRE(taker);

  // The slow holder's refusal must not win over the taker's refresh, which may be what consumed
  // the refresh token (rotation) and is not written yet.
  CHECK(h.store->markNeedsReauth(info.id, 1, slow.owner, "invalid_grant").failure ==
        WriteFailure::LeaseLost);
  REQUIRE(h.store->updateCredentials(info.id, 1, tokens("a2", "r2"), "{}"));
  // Once the taker's result is written, the slow holder's is stale whatever it is.
  CHECK(h.store->updateCredentials(info.id, 1, tokens("stale", "stale"), "{}").failure ==
        WriteFailure::VersionMismatch);
  CHECK(h.store->markNeedsReauth(info.id, 1, slow.owner, "invalid_grant").failure ==
        WriteFailure::VersionMismatch);
  CHECK(h.store->markNeedsReauth(info.id, 1, taker.owner, "invalid_grant").failure ==
        WriteFailure::VersionMismatch);
  CHECK(h.store->markNeedsReauth("con_missing", 1, taker.owner, "x").failure ==
        WriteFailure::NotFound);

  const auto stored = h.store->findConnectionById(info.id);
  CHECK(stored->info.status == ConnectionStatus::Active);
  CHECK(stored->credentials.refresh_token == "r2");
  CHECK(stored->info.version == 2);
  CHECK(h.store->undeliveredEvents(10).size() == 1);  // connection.created alone
  CHECK_FALSE(h.store->releaseRefreshLease(info.id, slow.owner));
  CHECK(h.store->releaseRefreshLease(info.id, taker.owner));
}

TEMPLATE_TEST_CASE("leases: of many concurrent takers across store instances, one gets it",
                   "[store]", SqliteBackend, PostgresBackend) {
  StoreHarness<TestType> h;
  const std::string acme = h.account();
  const ConnectionInfo info = h.connect(acme, h.integration(acme), "user-1", tokens("a1", "r1"));
  // Another instance on the same database.
  auto other = openStore(h.backend.url(), h.vault);

  std::atomic<int> acquired{0};
  std::atomic<int> held{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&, i] {
      Store& store = i % 2 == 0 ? *h.store : *other;
      const auto attempt = store.acquireRefreshLease(info.id, 1, kLong);
      if (attempt) ++acquired;
      if (attempt.outcome == LeaseOutcome::Held) ++held;
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(acquired == 1);
  CHECK(held == 15);
}

TEMPLATE_TEST_CASE("connections: the access token's expiry is kept unsealed on every write",
                   "[store]", SqliteBackend, PostgresBackend) {
  StoreHarness<TestType> h;
  const std::string acme = h.account();
  const std::string github = h.integration(acme);
  auto expiryOf = [&](const std::string& id) {
    Poco::Nullable<Poco::Int64> expiry;
    auto raw = rawSession(h.backend.url());
    raw << "SELECT token_expires_at FROM connections WHERE id = $1", into(expiry), bind(id), now;
    return expiry;
  };

  const ConnectionInfo info = h.connect(acme, github, "user-1", tokens("a1", "r1"));
  CHECK(expiryOf(info.id) == Poco::Int64(1900000000));

  Credentials forever = tokens("a2", "r2");
  forever.expires_at.reset();
  REQUIRE(h.store->updateCredentials(info.id, 1, forever, "{}"));
  CHECK(expiryOf(info.id).isNull());

  Credentials later = tokens("a3", "r3");
  later.expires_at = 1900000500;
  REQUIRE(h.store->updateCredentials(info.id, 2, later, "{}"));
  CHECK(expiryOf(info.id) == Poco::Int64(1900000500));

  later.expires_at = 1900000900;
  h.connect(acme, github, "user-1", later);  // re-authorized
  CHECK(expiryOf(info.id) == Poco::Int64(1900000900));

  // Many at once (an import) take the same path.
  std::vector<NewConnection> batch;
  for (int i = 0; i < 3; ++i) {
    Credentials credentials = tokens("b" + std::to_string(i));
    if (i == 1) credentials.expires_at.reset();
    batch.push_back({{acme, github, "batch-" + std::to_string(i)}, credentials, "{}"});
  }
  const auto imported = h.store->upsertConnections(batch);
  REQUIRE(imported.size() == 3);
  CHECK(expiryOf(imported[0].value->info.id) == Poco::Int64(1900000000));
  CHECK(expiryOf(imported[1].value->info.id).isNull());
}
