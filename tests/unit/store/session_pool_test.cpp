#include "core/store/session_pool.hpp"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Statement.h>

#include <catch2/catch.hpp>
#include <vector>

#include "tests/support/temp_dir.hpp"

using namespace keyhop::store;
using Poco::Data::Keywords::into;
using Poco::Data::Keywords::use;

namespace {

// A query that counts how often it is made.
struct AddOne {
  static inline int made = 0;
  explicit AddOne(Poco::Data::Session& session) : statement(session) {
    ++made;
    statement << "SELECT $1 + 1", into(result), use(input);
  }
  Poco::Int64 input = 0;
  std::vector<Poco::Int64> result;
  Poco::Data::Statement statement;
};

Poco::Int64 addOne(SessionPool::Lease& lease, Poco::Int64 input) {
  auto& query = lease.prepared<AddOne>();
  query.input = input;
  query.result.clear();
  query.statement.execute();
  REQUIRE(query.result.size() == 1);
  return query.result.front();
}

}  // namespace

TEST_CASE("a pooled connection keeps its prepared queries until it is discarded", "[store]") {
  Poco::Data::SQLite::Connector::registerConnector();
  keyhop::test::TempDir dir;
  const auto location = parseStoreUrl("sqlite://" + (dir.path() / "pool.db").string()).location;
  REQUIRE(location);
  const Dialect dialect(Backend::Sqlite);
  SessionPool pool(*location, dialect, 1);
  AddOne::made = 0;
  for (Poco::Int64 input : {1, 41, 99}) {
    auto lease = pool.acquire();
    CHECK(addOne(lease, input) == input + 1);  // re-executed with the new value each time
  }
  CHECK(AddOne::made == 1);
  {
    auto lease = pool.acquire();
    addOne(lease, 0);
    lease.discard();
  }
  auto lease = pool.acquire();
  CHECK(addOne(lease, 2) == 3);
  CHECK(AddOne::made == 2);  // a new connection, so the query is made anew
}
