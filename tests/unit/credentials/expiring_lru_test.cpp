#include "core/credentials/expiring_lru.hpp"

#include <catch2/catch.hpp>
#include <thread>

using keyhop::credentials::ExpiringLru;

TEST_CASE("ExpiringLru drops the least recently used when full, and entries past max age",
          "[credentials]") {
  ExpiringLru<int> cache(2, std::chrono::milliseconds(100));
  cache.put("a", 1);
  cache.put("b", 2);
  CHECK(cache.find("a") == 1);  // now "b" is the least recently used
  cache.put("c", 3);
  CHECK(cache.size() == 2);
  CHECK_FALSE(cache.find("b"));
  CHECK(cache.find("a") == 1);
  CHECK(cache.find("c") == 3);

  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  CHECK_FALSE(cache.find("a"));
  CHECK(cache.size() == 1);
}

TEST_CASE("ExpiringLru::put keeps the current value when told to", "[credentials]") {
  ExpiringLru<int> cache(10, std::chrono::seconds(60));
  const auto newer = [](int incoming) {
    return [incoming](const int& current) { return current > incoming; };
  };
  CHECK(cache.put("k", 5, newer(5)) == 5);
  CHECK(cache.put("k", 3, newer(3)) == 5);  // an older version does not replace a newer one
  CHECK(cache.put("k", 7, newer(7)) == 7);
  cache.erase("k");
  CHECK_FALSE(cache.find("k"));
}
