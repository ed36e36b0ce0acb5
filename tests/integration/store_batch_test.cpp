// upsertConnections inserts many rows per statement (core/store/multi_row.hpp). A batch that
// spans several statements, repeats a key, re-authorizes an existing connection or names another
// account's integration must come out as if each connection had been upserted alone, in order.

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "core/store/multi_row.hpp"
#include "tests/integration/store_harness.hpp"

using namespace keyhop;
using namespace keyhop::store;
using namespace keyhop::store::testing;

TEMPLATE_TEST_CASE("a batch of connections comes out as upserts one by one, in order", "[store]",
                   SqliteBackend, PostgresBackend) {
  StoreHarness<TestType> h;
  const auto acme = h.account("acme");
  const auto github = h.integration(acme);
  const auto foreign = h.integration(h.account("other"), "slack");
  const auto existing = h.connect(acme, github, "existing", tokens("old"));

  const std::size_t size = 2 * kRowsPerInsert + 50;  // three statements' worth
  std::vector<NewConnection> batch;
  for (std::size_t i = 0; i < size; ++i) {
    const std::string n = std::to_string(i);
    batch.push_back({{acme, github, "user-" + n}, tokens("at-" + n), "{\"n\":\"" + n + "\"}"});
  }
  batch[7].key.user_id = "user-3";                   // repeats a key of the same statement
  batch[10].key.integration_id = foreign;            // another account's integration
  batch[kRowsPerInsert + 5].key.user_id = "user-5";  // repeats a key of an earlier statement
  batch[kRowsPerInsert + 6].key.user_id = "existing";

  const auto results = h.store->upsertConnections(batch);
  REQUIRE(results.size() == size);
  CHECK_FALSE(results[10]);
  CHECK(results[10].failure == WriteFailure::NotFound);
  for (std::size_t i : {std::size_t{7}, kRowsPerInsert + 5, kRowsPerInsert + 6}) {
    REQUIRE(results[i]);
    CHECK_FALSE(results[i].value->created);
    CHECK(results[i].value->info.version == 2);
  }
  CHECK(results[7].value->info.id == results[3].value->info.id);
  CHECK(results[kRowsPerInsert + 5].value->info.id == results[5].value->info.id);
  CHECK(results[kRowsPerInsert + 6].value->info.id == existing.id);
  std::size_t created = 0;
  for (const auto& result : results) created += result && result.value->created;
  CHECK(created == size - 4);

  // The last write of a key wins, sealed for the row that holds it.
  CHECK(h.store->findConnection({acme, github, "user-3"})->credentials.access_token == "at-7");
  CHECK(h.store->findConnection({acme, github, "user-5"})->credentials.access_token ==
        "at-" + std::to_string(kRowsPerInsert + 5));
  CHECK(h.store->findConnection({acme, github, "existing"})->credentials.access_token ==
        "at-" + std::to_string(kRowsPerInsert + 6));
  const auto last = h.store->findConnection({acme, github, "user-" + std::to_string(size - 1)});
  REQUIRE(last);
  CHECK(last->raw_token_response == "{\"n\":\"" + std::to_string(size - 1) + "\"}");
  CHECK_FALSE(h.store->findConnection({acme, foreign, "user-10"}));
  CHECK(h.store->listConnections(acme).size() == created + 1);  // and "existing"

  // One event per stored connection, in input order, after the one "existing" made.
  const auto events = h.store->undeliveredEvents(10 * size);
  REQUIRE(events.size() == 1 + size - 1);
  std::size_t next = 1;
  for (std::size_t i = 0; i < size; ++i) {
    if (!results[i]) continue;
    const auto& event = events[next++];
    CHECK(event.type ==
          (results[i].value->created ? "connection.created" : "connection.reauthorized"));
    CHECK(event.payload.find(results[i].value->info.id) != std::string::npos);
  }
}
