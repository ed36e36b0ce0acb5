#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "core/store/unix_time.hpp"
#include "tests/integration/store_harness.hpp"

using keyhop::Credentials;
using namespace keyhop::store;
using namespace keyhop::store::testing;
using Poco::Data::Keywords::now;

namespace {

// Every page of connectionsExpiringBefore(before), `limit` at a time.
std::vector<RefreshCandidate> allExpiring(Store& store, std::int64_t before, std::size_t limit) {
  std::vector<RefreshCandidate> all;
  for (;;) {
    const auto page =
        store.connectionsExpiringBefore(before, all.empty() ? nullptr : &all.back(), limit);
    REQUIRE(page.size() <= limit);
    all.insert(all.end(), page.begin(), page.end());
    if (page.size() < limit) return all;
  }
}

std::vector<RefreshCandidate> allRefreshedBefore(Store& store, const std::string& provider,
                                                 std::int64_t before, std::size_t limit) {
  std::vector<RefreshCandidate> all;
  for (;;) {
    const auto page =
        store.connectionsRefreshedBefore(provider, before, all.empty() ? "" : all.back().id, limit);
    REQUIRE(page.size() <= limit);
    all.insert(all.end(), page.begin(), page.end());
    if (page.size() < limit) return all;
  }
}

}  // namespace

TEMPLATE_TEST_CASE("refresh due: expiring connections are listed soonest first, page by page",
                   "[store]", SqliteBackend, PostgresBackend) {
  StoreHarness<TestType> h;
  const std::string acme = h.account("acme");
  const std::string github = h.integration(acme, "github");
  const std::string google = h.integration(acme, "google");

  // 1,200 connections over 37 expiry times, so pages end in the middle of equal expiries; every
  // tenth never expires, every eleventh needs re-authorization.
  std::vector<NewConnection> batch;
  std::set<std::string> expected_users;
  constexpr std::int64_t kBefore = 1'000'030;
  for (int i = 0; i < 1200; ++i) {
    Credentials credentials = tokens("access-" + std::to_string(i), "refresh");
    credentials.expires_at = 1'000'000 + (i * 7) % 37;
    if (i % 10 == 0) credentials.expires_at.reset();
    const std::string user = "user-" + std::to_string(i);
    batch.push_back({{acme, i % 3 == 0 ? google : github, user}, credentials, ""});
    if (i % 10 != 0 && i % 11 != 0 && *credentials.expires_at < kBefore) {
      expected_users.insert(user);
    }
  }
  for (const auto& result : h.store->upsertConnections(batch)) REQUIRE(result);
  {
    auto session = rawSession(h.backend.url());
    session << "UPDATE connections SET status = 'needs_reauth'"
               " WHERE CAST(SUBSTR(user_id, 6) AS INTEGER) % 11 = 0",
        now;
  }

  const std::int64_t created = unixNow();
  const auto listed = allExpiring(*h.store, kBefore, 50);
  std::set<std::string> users;
  for (std::size_t i = 0; i < listed.size(); ++i) {
    const RefreshCandidate& candidate = listed[i];
    CAPTURE(candidate.key.user_id);
    CHECK(users.insert(candidate.key.user_id).second);
    CHECK(candidate.key.account_id == acme);
    CHECK(candidate.provider == (candidate.key.integration_id == google ? "google" : "github"));
    CHECK(candidate.id.rfind("con_", 0) == 0);
    CHECK(candidate.version == 1);
    CHECK(candidate.token_expires_at < kBefore);
    CHECK(candidate.refreshed_at <= created);  // never refreshed: its creation
    CHECK(candidate.refreshed_at > created - 60);
    if (i > 0) {
      CHECK(std::tie(listed[i - 1].token_expires_at, listed[i - 1].id) <
            std::tie(candidate.token_expires_at, candidate.id));
    }
  }
  CHECK(users == expected_users);
  CHECK(users.size() > 700);

  CHECK(h.store->connectionsExpiringBefore(1'000'000, nullptr, 10).empty());
  const auto first = h.store->connectionsExpiringBefore(kBefore, nullptr, 1);
  REQUIRE(first.size() == 1);
  CHECK(first.front().id == listed.front().id);
  CHECK(allExpiring(*h.store, kBefore, 1000).size() == listed.size());
}

TEMPLATE_TEST_CASE("refresh due: connections of a provider not refreshed for a while", "[store]",
                   SqliteBackend, PostgresBackend) {
  StoreHarness<TestType> h;
  const std::string acme = h.account("acme");
  const std::string google = h.integration(acme, "google");
  const std::string github = h.integration(acme, "github");

  std::vector<NewConnection> batch;
  for (int i = 0; i < 150; ++i) {
    batch.push_back({{acme, google, "idle-" + std::to_string(i)}, tokens("a", "r"), ""});
  }
  Credentials never_expires = tokens("a", "r");
  never_expires.expires_at.reset();
  batch.push_back({{acme, google, "old-forever"}, never_expires, ""});
  batch.push_back({{acme, google, "old-refreshed"}, tokens("a", "r"), ""});
  batch.push_back({{acme, google, "old-reauth"}, tokens("a", "r"), ""});
  batch.push_back({{acme, github, "old-other-provider"}, tokens("a", "r"), ""});
  batch.push_back({{acme, google, "new"}, tokens("a", "r"), ""});
  for (const auto& result : h.store->upsertConnections(batch)) REQUIRE(result);
  {
    auto session = rawSession(h.backend.url());
    session << "UPDATE connections SET created_at = created_at - 40 * 86400"
               " WHERE user_id <> 'new'",
        now;
    session << "UPDATE connections SET last_refresh_at = created_at + 35 * 86400"
               " WHERE user_id = 'old-refreshed'",
        now;
    session << "UPDATE connections SET status = 'needs_reauth' WHERE user_id = 'old-reauth'", now;
  }

  const std::int64_t before = unixNow() - 30 * 86400;
  const auto listed = allRefreshedBefore(*h.store, "google", before, 40);
  REQUIRE(listed.size() == 150);
  for (std::size_t i = 0; i < listed.size(); ++i) {
    CAPTURE(listed[i].key.user_id);
    CHECK(listed[i].key.user_id.rfind("idle-", 0) == 0);
    CHECK(listed[i].provider == "google");
    CHECK(listed[i].token_expires_at == 1900000000);
    CHECK(listed[i].refreshed_at < before);
    if (i > 0) CHECK(listed[i - 1].id < listed[i].id);
  }
  CHECK(allRefreshedBefore(*h.store, "github", before, 40).size() == 1);
  CHECK(h.store->connectionsRefreshedBefore("slack", before, "", 40).empty());
  // The one refreshed five days ago, and the new one, once the threshold passes them.
  CHECK(allRefreshedBefore(*h.store, "google", unixNow() + 10, 1000).size() == 152);
}
