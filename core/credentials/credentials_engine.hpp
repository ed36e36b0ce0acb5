#pragma once

// "Give me fresh credentials for this connection": the one entry point the token route and the
// proxy use (docs/credentials.md).
//
// A lookup is served from an in-memory cache of decrypted connections, so a hit neither reads
// nor writes the database. A cached connection is read again from the store when it is older
// than cache_max_age, whenever a refresh is due (so a refresh always starts from the newest
// stored version and refresh token), and while it needs re-authorization (so a reconnect made
// anywhere is seen at once). The cache keeps the newest version it has seen of each connection.
//
// A refresh is due within the descriptor's refresh.margin_s of expiry, when the token is
// missing (oauth2_cc before first use), or when the caller says the provider rejected it
// (`force_refresh`). Concurrent callers needing a refresh of one connection share one call to
// the provider: in this process by SingleFlight, across processes sharing the store by a
// refresh lease on the connection row (the others wait for the holder's new version, and take
// the lease over if it expires first). Rotated tokens are committed to the store (at the
// version read) before anyone gets them. `invalid_grant` marks the connection needs_reauth
// (the store queues connection.refresh_failed); a transient failure leaves it active and backs
// off.
//
// Blocking (store, token endpoint): call from the worker pool. Thread-safe.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/credentials/connection_snapshot.hpp"
#include "core/credentials/expiring_lru.hpp"
#include "core/credentials/fresh_result.hpp"
#include "core/credentials/refresh_backoff.hpp"
#include "core/credentials/refresh_policy.hpp"
#include "core/credentials/single_flight.hpp"
#include "core/flows/flow_result.hpp"
#include "core/flows/http_client.hpp"
#include "core/registry/registry.hpp"
#include "core/store/store.hpp"

namespace keyhop::credentials {

struct EngineOptions {
  std::size_t cache_capacity = 10000;  // connections kept decrypted; least recently used go first
  std::chrono::milliseconds cache_max_age{30000};  // older cached connections are read again
  // After a refresh fails without breaking the connection: wait this long before the next
  // attempt for it, doubling after each further failure up to backoff_max.
  std::chrono::milliseconds backoff_initial{1000};
  std::chrono::milliseconds backoff_max{60000};
  // How long a refresh may hold the connection's lease before another instance may take it
  // over. Must exceed the token endpoint's timeouts (HttpClientOptions connect_timeout +
  // read_timeout), so a live refresh never outlasts it; an instance whose lease holder died
  // waits this long at most.
  std::chrono::milliseconds refresh_lease{30000};
  // How often an instance waiting for another's refresh looks for its result.
  std::chrono::milliseconds lease_poll{50};
  // Unix seconds, for expiry decisions; empty: the system clock. Tests move time with it.
  std::function<std::int64_t()> now;
};

class CredentialsEngine final {
 public:
  // `providers`, `store` and `http` are owned by the caller and outlive the engine. Throws
  // std::invalid_argument when options.refresh_lease does not exceed http's timeouts.
  CredentialsEngine(const registry::Registry& providers, store::Store& store,
                    const flows::HttpClient& http, EngineOptions options = {});

  // The connection's credentials, renewed first when due (see above). `force_refresh`: the
  // provider rejected the access token the caller holds; renew it even if it looks valid.
  FreshResult fresh(const store::ConnectionKey& key, bool force_refresh = false);

  // The proactive refresher's entry point (proactive_refresher.hpp): renews the access token
  // now, ahead of its margin, unless the connection changed since the listing that found it
  // due (`listed_id`, `listed_version`: renewed or reconnected by any writer, or deleted and
  // made again). The same single-flight run as fresh(). Never renews what has nothing to renew
  // it with: a token without expiry, an oauth2 token without a refresh token. Answers the
  // snapshot it ends with (a newer version when renewed) or the failure (logged; backs off).
  FreshResult renewAhead(const store::ConnectionKey& key, const std::string& listed_id,
                         std::int64_t listed_version);

  // The id of the account's integration named `name`; cached like connections.
  std::optional<std::string> integrationId(const std::string& account_id, const std::string& name);

  // The cache alone, never blocking, for callers on a reactor thread: the connection's cached
  // credentials when they are active and need no refresh now; null otherwise (then ask fresh()
  // on a worker).
  // The key's parts as views: the proxy asks with what the request carries, copying nothing.
  SnapshotPtr cachedFresh(std::string_view account_id, std::string_view integration_id,
                          std::string_view user_id);
  std::optional<std::string> cachedIntegrationId(const std::string& account_id,
                                                 const std::string& name);

  // Forgets the cached connection: for writers in this process that change or delete a
  // connection without the engine.
  void invalidate(const store::ConnectionKey& key);

 private:
  using IntegrationPtr = std::shared_ptr<const store::Integration>;

  std::int64_t now() const;
  // No refresh is due (or one failed moments ago and the token is still valid).
  bool servableAsIs(const ConnectionSnapshot& snapshot);
  IntegrationPtr integration(const std::string& account_id, const std::string& integration_id);
  FreshResult load(const store::ConnectionKey& key);
  // Caches `snapshot` unless a newer version is cached; returns what the cache holds.
  SnapshotPtr remember(SnapshotPtr snapshot);

  // credentials_engine_refresh.cpp: the work of one refresh, run once per connection at a time
  // in this process. The steps below answer nothing (an empty optional) when another writer
  // moved the connection on meanwhile: refresh() then reads it again.
  using Clock = std::chrono::steady_clock;
  using Step = std::optional<FreshResult>;
  FreshResult refresh(const ConnectionSnapshot& seen, bool force);
  // What to answer without renewing: nothing to renew with, or backing off.
  Step withoutRenewal(const SnapshotPtr& current, RefreshNeed need);
  // Takes the lease, or waits for its holder's result until `wait_until`, then renews.
  Step renewUnderLease(const SnapshotPtr& current, const std::string& raw_token_response,
                       RefreshNeed need, Clock::time_point wait_until);
  Step renew(const SnapshotPtr& current, const std::string& raw_token_response, RefreshNeed need,
             const std::string& lease_owner);
  Step refreshFailed(const SnapshotPtr& current, RefreshNeed need,
                     const flows::FlowFailure& failure, const std::string& lease_owner);
  Step markNeedsReauth(const ConnectionSnapshot& current, const std::string& lease_owner,
                       const std::string& reason);
  FreshResult notFound(const store::ConnectionKey& key);
  static Failure needsReauth(const ConnectionSnapshot& snapshot);

  const registry::Registry& providers_;
  store::Store& store_;
  const flows::HttpClient& http_;
  std::function<std::int64_t()> now_;
  const std::chrono::milliseconds refresh_lease_;
  const std::chrono::milliseconds lease_poll_;
  ExpiringLru<SnapshotPtr> connections_;      // by cacheKey(ConnectionKey)
  ExpiringLru<IntegrationPtr> integrations_;  // by account id + integration id
  ExpiringLru<std::string> integration_ids_;  // by account id + integration name
  SingleFlight<FreshResult> refreshes_;       // by connection id
  RefreshBackoff backoff_;
};

}  // namespace keyhop::credentials
