#include "core/server/account_auth.hpp"

#include "core/server/api_error.hpp"
#include "core/store/identifiers.hpp"

namespace keyhop::server {

AccountCache::AccountCache(std::chrono::milliseconds ttl, std::size_t max_entries)
    : ttl_(ttl), max_entries_(max_entries) {}

std::shared_ptr<const store::Account> AccountCache::find(const std::string& key_hash,
                                                         Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto it = entries_.find(key_hash);
  if (it == entries_.end() || it->second.expires <= now) return nullptr;
  return it->second.account;
}

std::shared_ptr<const store::Account> AccountCache::put(const std::string& key_hash,
                                                        store::Account account,
                                                        Clock::time_point now) {
  auto shared = std::make_shared<const store::Account>(std::move(account));
  if (max_entries_ == 0) return shared;
  std::lock_guard<std::mutex> lock(mutex_);
  evict(now);
  const Clock::time_point expires = now + ttl_;
  entries_[key_hash] = Entry{shared, expires};
  order_.emplace_back(key_hash, expires);
  return shared;
}

std::size_t AccountCache::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return entries_.size();
}

void AccountCache::evict(Clock::time_point now) {
  while (!order_.empty() && (order_.front().second <= now || entries_.size() >= max_entries_)) {
    const auto it = entries_.find(order_.front().first);
    if (it != entries_.end() && it->second.expires == order_.front().second) entries_.erase(it);
    order_.pop_front();
  }
}

AccountAuthenticator::AccountAuthenticator(store::Store& store, Options options)
    : store_(store), cache_(options.ttl, options.max_entries) {}

std::shared_ptr<const store::Account> AccountAuthenticator::authenticate(
    std::string_view secret_key) {
  const std::string hash = store::sha256Hex(secret_key);
  const auto now = AccountCache::Clock::now();
  if (auto cached = cache_.find(hash, now)) return cached;
  auto account = store_.findAccountBySecretKey(secret_key);
  if (!account) return nullptr;
  return cache_.put(hash, std::move(*account), now);
}

std::shared_ptr<const store::Account> AccountAuthenticator::findCached(
    std::string_view secret_key) {
  // One buffer per thread for the hash: no allocation on the proxy's hot path.
  thread_local std::string hash;
  store::sha256Hex(secret_key, hash);
  return cache_.find(hash, AccountCache::Clock::now());
}

std::optional<std::string_view> bearerToken(const Request& request) {
  const std::string* header = request.header("Authorization");
  if (!header) return std::nullopt;
  std::string_view value(*header);
  constexpr std::string_view kScheme = "Bearer ";
  if (value.size() <= kScheme.size() || !equalsIgnoreCase(value.substr(0, 7), kScheme)) {
    return std::nullopt;
  }
  value.remove_prefix(kScheme.size());
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  return value;
}

Response invalidSecretKey() {
  Response response = keyhopError(
      401, "invalid_secret_key",
      "send the account's secret key as `Authorization: Bearer sk_...`; the key sent is missing "
      "or unknown");
  response.headers.push_back({"WWW-Authenticate", "Bearer"});
  return response;
}

}  // namespace keyhop::server
