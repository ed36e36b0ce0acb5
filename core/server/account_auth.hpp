#pragma once

// Account authentication by secret key (`Authorization: Bearer sk_...`), with a small cache so
// an authenticated call does not query the database each time. Shared by the API routes and
// the proxy.

#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "core/server/http_message.hpp"
#include "core/store/records.hpp"
#include "core/store/store.hpp"

namespace keyhop::server {

// Accounts by the SHA-256 of their secret key (the key itself is never kept), each for a fixed
// time. Bounded: when full, the oldest entries go first. Thread-safe.
class AccountCache final {
 public:
  using Clock = std::chrono::steady_clock;

  AccountCache(std::chrono::milliseconds ttl, std::size_t max_entries);

  // Shared, not copied: this runs on every proxied request.
  std::shared_ptr<const store::Account> find(const std::string& key_hash, Clock::time_point now);
  // The account as now shared with the cache (or alone, when the cache keeps nothing).
  std::shared_ptr<const store::Account> put(const std::string& key_hash, store::Account account,
                                            Clock::time_point now);
  std::size_t size() const;

 private:
  struct Entry {
    std::shared_ptr<const store::Account> account;
    Clock::time_point expires;
  };
  void evict(Clock::time_point now);  // mutex_ held

  const std::chrono::milliseconds ttl_;
  const std::size_t max_entries_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
  // Insertion order, which is expiry order as the TTL is fixed. An element whose expiry differs
  // from its entry's is stale (the key was cached again later) and is skipped.
  std::deque<std::pair<std::string, Clock::time_point>> order_;
};

class AccountAuthenticator final {
 public:
  struct Options {
    // How long a key stays trusted without asking the store; bounds how long a deleted account
    // keeps working in this process.
    std::chrono::milliseconds ttl{30'000};
    std::size_t max_entries = 10'000;
  };

  // `store` is owned by the caller and outlives the authenticator.
  explicit AccountAuthenticator(store::Store& store, Options options);
  explicit AccountAuthenticator(store::Store& store) : AccountAuthenticator(store, Options()) {}

  // The account of `secret_key`, from the cache or else the store (which may block: call it
  // on a worker thread). Throws StoreError when the store cannot be used.
  std::shared_ptr<const store::Account> authenticate(std::string_view secret_key);
  // The cache alone: never blocks on the store, for callers on a reactor thread.
  std::shared_ptr<const store::Account> findCached(std::string_view secret_key);

 private:
  store::Store& store_;
  AccountCache cache_;
};

// The secret key a request's `Authorization: Bearer ...` header carries, or nothing.
std::optional<std::string_view> bearerToken(const Request& request);

// 401 `invalid_secret_key`, with `WWW-Authenticate: Bearer`. Never echoes the key sent.
Response invalidSecretKey();

}  // namespace keyhop::server
