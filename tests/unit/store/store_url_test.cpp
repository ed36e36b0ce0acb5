#include "core/store/store_url.hpp"

#include <catch2/catch.hpp>

using namespace keyhop::store;

TEST_CASE("sqlite URLs name an absolute or a relative file", "[store]") {
  auto absolute = parseStoreUrl("sqlite:///var/lib/keyhop/store.db");
  REQUIRE(absolute);
  CHECK(absolute.location->backend == Backend::Sqlite);
  CHECK(absolute.location->connector == "sqlite");
  CHECK(absolute.location->connection_string == "/var/lib/keyhop/store.db");
  auto relative = parseStoreUrl("sqlite://var/store%20one.db");
  REQUIRE(relative);
  CHECK(relative.location->connection_string == "var/store one.db");
  CHECK_FALSE(parseStoreUrl("sqlite://"));
  CHECK_FALSE(parseStoreUrl("sqlite:///"));
}

TEST_CASE("postgresql URLs become libpq key=value pairs", "[store]") {
  auto parsed =
      parseStoreUrl("postgresql://keyhop:p%40ss%27w@db.internal:6432/tokens?sslmode=require");
  REQUIRE(parsed);
  const StoreLocation& location = *parsed.location;
  CHECK(location.backend == Backend::Postgresql);
  CHECK(location.connector == "postgresql");
  CHECK(location.connection_string ==
        "dbname=tokens host=db.internal password=p@ss\\'w port=6432 sslmode=require user=keyhop");
  CHECK(location.description == "postgresql://keyhop@db.internal:6432/tokens");

  auto minimal = parseStoreUrl("postgres://localhost/keyhop");
  REQUIRE(minimal);
  CHECK(minimal.location->connection_string == "dbname=keyhop host=localhost");
  auto ipv6 = parseStoreUrl("postgresql://u@[::1]:5433/d");
  REQUIRE(ipv6);
  CHECK(ipv6.location->connection_string == "dbname=d host=::1 port=5433 user=u");
}

TEST_CASE("malformed store URLs are refused without echoing a password", "[store]") {
  CHECK_FALSE(parseStoreUrl("mysql://localhost/db"));
  CHECK_FALSE(parseStoreUrl("/var/store.db"));
  CHECK_FALSE(parseStoreUrl("postgresql://h:port/db"));
  CHECK_FALSE(parseStoreUrl("postgresql://h/db?sslmode"));
  CHECK_FALSE(parseStoreUrl("postgresql://h/db?SSL=1"));
  auto spaced = parseStoreUrl("postgresql://u:two%20words@h/db");
  REQUIRE_FALSE(spaced);
  CHECK_THAT(spaced.error, Catch::Contains("password"));
  CHECK_THAT(spaced.error, !Catch::Contains("two words"));
}
