#include "core/server/account_auth.hpp"

#include <catch2/catch.hpp>

using keyhop::server::AccountCache;
using keyhop::server::bearerToken;
using keyhop::server::Request;
using namespace std::chrono_literals;

namespace {

keyhop::store::Account account(const std::string& id) {
  keyhop::store::Account result;
  result.id = id;
  return result;
}

Request withAuthorization(const std::string& value) {
  Request request;
  request.headers.push_back({"Authorization", value});
  return request;
}

}  // namespace

TEST_CASE("AccountCache keeps an account for its TTL only", "[server]") {
  AccountCache cache(1000ms, 10);
  const auto start = AccountCache::Clock::now();
  cache.put("h1", account("acc_1"), start);
  CHECK(cache.find("h1", start + 999ms)->id == "acc_1");
  CHECK(!cache.find("h1", start + 1000ms));
  CHECK(!cache.find("h2", start));
}

TEST_CASE("AccountCache is bounded and drops the oldest entries first", "[server]") {
  AccountCache cache(1h, 3);
  const auto now = AccountCache::Clock::now();
  for (int i = 0; i < 5; ++i) {
    cache.put("h" + std::to_string(i), account("acc_" + std::to_string(i)), now + i * 1ms);
  }
  CHECK(cache.size() == 3);
  CHECK(!cache.find("h0", now + 5ms));
  CHECK(!cache.find("h1", now + 5ms));
  CHECK(cache.find("h4", now + 5ms)->id == "acc_4");
}

TEST_CASE("AccountCache renews an entry cached again, and forgets expired ones on insert",
          "[server]") {
  AccountCache cache(100ms, 2);
  const auto start = AccountCache::Clock::now();
  cache.put("h1", account("acc_1"), start);
  cache.put("h1", account("acc_1"), start + 80ms);
  // The first insertion's expiry passes; the renewed entry stays.
  cache.put("h2", account("acc_2"), start + 120ms);
  CHECK(cache.find("h1", start + 150ms)->id == "acc_1");
  CHECK(cache.size() == 2);
  cache.put("h3", account("acc_3"), start + 300ms);  // both others expired by now
  CHECK(cache.size() == 1);
}

TEST_CASE("bearerToken reads the key of a Bearer Authorization header", "[server]") {
  CHECK(bearerToken(withAuthorization("Bearer sk_abc")) == "sk_abc");
  CHECK(bearerToken(withAuthorization("bearer  sk_abc ")) == "sk_abc");
  CHECK(!bearerToken(withAuthorization("Bearer ")));
  CHECK(!bearerToken(withAuthorization("Basic sk_abc")));
  CHECK(!bearerToken(withAuthorization("Bearersk_abc")));
  CHECK(!bearerToken(Request{}));
}
