// Key rotation under load: 10,000 connections re-sealed in batches under a new key while a
// reader keeps decrypting and a writer keeps refreshing credentials; then the old key retires.

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/store_harness.hpp"

using namespace keyhop;
using namespace keyhop::store;
using namespace keyhop::store::testing;

namespace {

constexpr int kConnections = 10000;
constexpr int kRefreshedEvery = 100;  // the writer refreshes users 0, 100, 200, ...

std::string user(int i) { return "user-" + std::to_string(i); }
std::string originalToken(int i) { return "token-" + std::to_string(i); }

}  // namespace

TEMPLATE_TEST_CASE("rotating the key re-seals everything while readers and writers go on",
                   "[store]", SqliteBackend, PostgresBackend) {
  TestType backend;
  const auto started = std::chrono::steady_clock::now();
  const vault::KeyRing old_ring = vault::KeyRing::parse(kKeyOne, "test keys");
  const vault::Vault old_vault(old_ring);
  std::string acme, github;
  {
    auto store = openStore(backend.url(), old_vault);
    acme = store->createAccount("acme").value->account.id;
    NewIntegration integration;
    integration.account_id = acme;
    integration.provider = "github";
    integration.client_secret = "client-secret";
    github = store->createIntegration(integration).value->info.id;
    for (int batch = 0; batch < kConnections; batch += 1000) {
      std::vector<NewConnection> connections;
      for (int i = batch; i < batch + 1000; ++i) {
        connections.push_back({{acme, github, user(i)}, tokens(originalToken(i)), ""});
      }
      for (const auto& result : store->upsertConnections(connections)) REQUIRE(result);
    }
    CHECK(store->countSealedWith("k1") == kConnections + 1);
  }
  const auto stored = std::chrono::steady_clock::now();

  // Every instance learns the new ring first (new key active, old still opens), then one of
  // them re-encrypts; here the reader, the writer and the rotation share one process.
  const vault::KeyRing new_ring = old_ring.withNewActiveKey();
  const std::string new_key = new_ring.active().id;
  const vault::Vault new_vault(new_ring);
  auto store = openStore(backend.url(), new_vault);

  std::atomic<bool> rotating{true};
  std::atomic<int> reads{0};
  std::atomic<int> refreshes{0};
  std::mutex mutex;
  std::vector<std::string> failures;
  std::map<int, std::string> refreshed;  // user index -> last token the writer stored
  auto fail = [&](const std::string& what) {
    std::lock_guard<std::mutex> lock(mutex);
    failures.push_back(what);
  };

  std::thread reader([&] {
    std::mt19937 random(42);
    while (rotating) {
      int i = static_cast<int>(random() % kConnections);
      if (i % kRefreshedEvery == 0) ++i;  // the writer's users change under it
      try {
        auto connection = store->findConnection({acme, github, user(i)});
        if (!connection || connection->credentials.access_token != originalToken(i)) {
          fail("read " + user(i) + " wrong");
        }
        ++reads;
      } catch (const std::exception& error) {
        fail(error.what());
      }
    }
  });
  std::thread writer([&] {
    for (int round = 0; rotating; ++round) {
      for (int i = 0; i < kConnections && rotating; i += kRefreshedEvery) {
        try {
          auto connection = store->findConnection({acme, github, user(i)});
          const std::string token = "refreshed-" + std::to_string(round) + "-" + user(i);
          if (connection && store->updateCredentials(connection->info.id, connection->info.version,
                                                     tokens(token), "")) {
            std::lock_guard<std::mutex> lock(mutex);
            refreshed[i] = token;
            ++refreshes;
          } else {
            fail("refresh of " + user(i) + " failed");
          }
          // A server refreshes now and then, not in a tight loop.
          std::this_thread::sleep_for(std::chrono::milliseconds(2));
        } catch (const std::exception& error) {
          fail(error.what());
        }
      }
    }
  });

  std::size_t resealed = 0;
  std::size_t batches = 0;
  try {
    while (const std::size_t count = store->reencryptBatch(500)) {
      resealed += count;
      ++batches;
    }
  } catch (...) {
    rotating = false;
    reader.join();
    writer.join();
    throw;
  }
  rotating = false;
  reader.join();
  writer.join();
  const auto rotated = std::chrono::steady_clock::now();

  for (const auto& failure : failures) FAIL_CHECK(failure);
  CHECK(reads > 0);
  CHECK(refreshes > 0);
  CHECK(resealed >= 1);
  CHECK(store->countSealedWith("k1") == 0);
  CHECK(store->countSealedWith(new_key) == kConnections + 1);
  CHECK(store->reencryptBatch(500) == 0);

  // Retire the old key: everything opens without it, and nothing was lost or overwritten.
  const vault::Vault retired_vault(new_ring.without("k1"));
  auto retired = openStore(backend.url(), retired_vault);
  CHECK(retired->findIntegrationById(acme, github)->client_secret == "client-secret");
  std::atomic<int> intact{0};
  std::vector<std::thread> verifiers;
  for (int part = 0; part < 4; ++part) {
    verifiers.emplace_back([&, part] {
      for (int i = part; i < kConnections; i += 4) {
        try {
          auto connection = retired->findConnection({acme, github, user(i)});
          const auto was_refreshed = refreshed.find(i);
          const std::string expected =
              was_refreshed == refreshed.end() ? originalToken(i) : was_refreshed->second;
          if (connection && connection->credentials.access_token == expected) ++intact;
        } catch (const std::exception&) {
          // Counted as not intact.
        }
      }
    });
  }
  for (auto& verifier : verifiers) verifier.join();
  CHECK(intact == kConnections);

  using Seconds = std::chrono::duration<double>;
  WARN("rotation on " << (TestType::kIsSqlite ? "SQLite" : "PostgreSQL") << ": store "
                      << Seconds(stored - started).count() << " s, rotate "
                      << Seconds(rotated - stored).count() << " s (" << batches << " batches, "
                      << reads << " reads, " << refreshes << " refreshes), verify "
                      << Seconds(std::chrono::steady_clock::now() - rotated).count() << " s");
}
