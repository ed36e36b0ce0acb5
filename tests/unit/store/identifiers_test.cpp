#include "core/store/identifiers.hpp"

#include <catch2/catch.hpp>
#include <set>

#include "core/store/sql.hpp"

using namespace keyhop::store;

TEST_CASE("row ids sort in the order they were made", "[store]") {
  std::set<std::string> ids;
  std::string previous;
  for (int i = 0; i < 5000; ++i) {  // many within one millisecond
    const std::string id = newRowId("con");
    REQUIRE(id.size() == 4 + 26);
    CHECK(id.rfind("con_", 0) == 0);
    CHECK(id.find_first_not_of("0123456789abcdefghjkmnpqrstvwxyz", 4) == std::string::npos);
    CHECK(id > previous);
    previous = id;
    ids.insert(id);
  }
  CHECK(ids.size() == 5000);
}

TEST_CASE("secret tokens carry their prefix and 256 random bits in base62", "[store]") {
  const std::string key = newSecretToken("sk");
  CHECK(key.size() == 3 + 43);
  CHECK(key.rfind("sk_", 0) == 0);
  CHECK(key.find_first_not_of("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
                              3) == std::string::npos);
  CHECK(newSecretToken("sk") != key);
}

TEST_CASE("hashes are SHA-256 hex, compared in full", "[store]") {
  CHECK(sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sameHash(sha256Hex("abc"), sha256Hex("abc")));
  CHECK_FALSE(sameHash(sha256Hex("abc"), sha256Hex("abd")));
  CHECK_FALSE(sameHash("ab", "abc"));
}

TEST_CASE("SQL placeholders must first appear in order", "[store]") {
  CHECK(placeholdersInOrder("SELECT 1"));
  CHECK(placeholdersInOrder("UPDATE t SET a = $1 WHERE b = $2 AND c > $1"));
  CHECK(placeholdersInOrder("VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)"));
  CHECK_FALSE(placeholdersInOrder("SELECT $2, $1"));
  CHECK_FALSE(placeholdersInOrder("SELECT $1, $3"));
  CHECK_FALSE(placeholdersInOrder("SELECT $0"));
}
