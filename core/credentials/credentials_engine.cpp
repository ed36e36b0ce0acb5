#include "core/credentials/credentials_engine.hpp"

#include <stdexcept>
#include <utility>

#include "core/store/unix_time.hpp"

namespace keyhop::credentials {
namespace {

// '\x1f' cannot be in an id and is refused in user ids (no control characters). Keys are
// built in one buffer per thread, valid until the next call: the proxy looks up twice per
// request and allocates nothing for it (the caches copy a key they keep).
const std::string& join(const std::string& a, const std::string& b) {
  thread_local std::string key;
  key.assign(a).append(1, '\x1f').append(b);
  return key;
}

const std::string& cacheKey(std::string_view account_id, std::string_view integration_id,
                            std::string_view user_id) {
  thread_local std::string joined;
  joined.assign(account_id).append(1, '\x1f').append(integration_id);
  joined.append(1, '\x1f').append(user_id);
  return joined;
}

const std::string& cacheKey(const store::ConnectionKey& key) {
  return cacheKey(key.account_id, key.integration_id, key.user_id);
}

}  // namespace

CredentialsEngine::CredentialsEngine(const registry::Registry& providers, store::Store& store,
                                     const flows::HttpClient& http, EngineOptions options)
    : providers_(providers),
      store_(store),
      http_(http),
      now_(options.now ? std::move(options.now) : store::unixNow),
      refresh_lease_(options.refresh_lease),
      lease_poll_(options.lease_poll),
      connections_(options.cache_capacity, options.cache_max_age),
      integrations_(options.cache_capacity, options.cache_max_age),
      integration_ids_(options.cache_capacity, options.cache_max_age),
      backoff_(options.backoff_initial, options.backoff_max) {
  const auto token_call = http.options().connect_timeout + http.options().read_timeout;
  if (refresh_lease_ <= token_call) {
    throw std::invalid_argument(
        "the refresh lease (" + std::to_string(refresh_lease_.count()) +
        " ms) must exceed the token endpoint's connect and read timeouts (" +
        std::to_string(token_call.count()) + " ms together), or a live refresh could outlast it");
  }
}

FreshResult CredentialsEngine::fresh(const store::ConnectionKey& key, bool force_refresh) {
  auto cached = connections_.find(cacheKey(key));
  // A connection that needs re-authorization is read again each time: a reconnect made by any
  // writer must be seen at once.
  SnapshotPtr snapshot =
      cached && (*cached)->status == store::ConnectionStatus::Active ? *cached : nullptr;
  if (!snapshot) {
    FreshResult loaded = load(key);
    if (!loaded) return loaded;
    snapshot = loaded.shared();
  }
  if (snapshot->status != store::ConnectionStatus::Active) return needsReauth(*snapshot);
  if (!force_refresh && servableAsIs(*snapshot)) return snapshot;
  return refreshes_.run(snapshot->connection_id, [&] { return refresh(*snapshot, force_refresh); });
}

FreshResult CredentialsEngine::renewAhead(const store::ConnectionKey& key,
                                          const std::string& listed_id,
                                          std::int64_t listed_version) {
  auto cached = connections_.find(cacheKey(key));
  SnapshotPtr snapshot = cached ? *cached : nullptr;
  // Older than what was listed: the store has at least that version.
  if (!snapshot || snapshot->connection_id != listed_id || snapshot->version < listed_version) {
    FreshResult loaded = load(key);
    if (!loaded) return loaded;
    snapshot = loaded.shared();
  }
  // Changed since it was listed: whoever changed it renewed or replaced the token.
  if (snapshot->connection_id != listed_id || snapshot->version != listed_version) return snapshot;
  if (snapshot->status != store::ConnectionStatus::Active) return needsReauth(*snapshot);
  const Credentials& credentials = snapshot->credentials;
  const bool renewable = renewsTokens(snapshot->provider->spec) && credentials.expires_at &&
                         (snapshot->provider->spec.auth == AuthMode::OAuth2ClientCredentials ||
                          !credentials.refresh_token.empty());
  if (!renewable) return snapshot;
  // Forced: the refresh re-reads the store and renews unless the version moved meanwhile.
  return refreshes_.run(snapshot->connection_id, [&] { return refresh(*snapshot, true); });
}

SnapshotPtr CredentialsEngine::cachedFresh(std::string_view account_id,
                                           std::string_view integration_id,
                                           std::string_view user_id) {
  auto cached = connections_.find(cacheKey(account_id, integration_id, user_id));
  if (!cached || (*cached)->status != store::ConnectionStatus::Active) return nullptr;
  return servableAsIs(**cached) ? *cached : nullptr;
}

std::optional<std::string> CredentialsEngine::cachedIntegrationId(const std::string& account_id,
                                                                  const std::string& name) {
  return integration_ids_.find(join(account_id, name));
}

bool CredentialsEngine::servableAsIs(const ConnectionSnapshot& snapshot) {
  const RefreshNeed need = refreshNeed(snapshot.provider->spec, snapshot.credentials, false, now());
  // Still valid, and its last refresh failed moments ago: no store read until the wait is over.
  return need == RefreshNeed::None ||
         (need == RefreshNeed::Soon && backoff_.remaining(snapshot.connection_id).count() > 0);
}

std::optional<std::string> CredentialsEngine::integrationId(const std::string& account_id,
                                                            const std::string& name) {
  const std::string key = join(account_id, name);
  if (auto id = integration_ids_.find(key)) return id;
  auto found = store_.findIntegrationByName(account_id, name);
  if (!found) return std::nullopt;
  std::string id = found->info.id;
  integrations_.put(join(account_id, id), std::make_shared<const store::Integration>(*found));
  return integration_ids_.put(key, std::move(id));
}

void CredentialsEngine::invalidate(const store::ConnectionKey& key) {
  connections_.erase(cacheKey(key));
}

std::int64_t CredentialsEngine::now() const { return now_(); }

CredentialsEngine::IntegrationPtr CredentialsEngine::integration(
    const std::string& account_id, const std::string& integration_id) {
  const std::string key = join(account_id, integration_id);
  if (auto cached = integrations_.find(key)) return *cached;
  auto found = store_.findIntegrationById(account_id, integration_id);
  if (!found) return nullptr;
  return integrations_.put(key, std::make_shared<const store::Integration>(std::move(*found)));
}

FreshResult CredentialsEngine::load(const store::ConnectionKey& key) {
  auto connection = store_.findConnection(key);
  if (!connection) return notFound(key);
  const IntegrationPtr integration = this->integration(key.account_id, key.integration_id);
  if (!integration) return notFound(key);
  const auto* provider = providers_.find(integration->info.provider);
  if (provider == nullptr) {
    return Failure{FailureKind::ProviderUnavailable,
                   "integration " + integration->info.name + " uses provider " +
                       integration->info.provider + ", which is not in the loaded catalog"};
  }
  return remember(snapshotOf(std::move(*connection), *integration, *provider));
}

SnapshotPtr CredentialsEngine::remember(SnapshotPtr snapshot) {
  const std::string key = cacheKey(snapshot->key);
  const std::int64_t version = snapshot->version;
  const std::string id = snapshot->connection_id;
  // A slower reader must not put back an older version; a connection deleted and created again
  // has another id and starts its versions over.
  return connections_.put(key, std::move(snapshot), [&](const SnapshotPtr& current) {
    return current->connection_id == id && current->version > version;
  });
}

FreshResult CredentialsEngine::notFound(const store::ConnectionKey& key) {
  connections_.erase(cacheKey(key));
  return Failure{FailureKind::NotFound, "no connection for this integration and user"};
}

Failure CredentialsEngine::needsReauth(const ConnectionSnapshot& snapshot) {
  std::string message = "connection " + snapshot.connection_id + " needs re-authorization";
  if (!snapshot.status_reason.empty()) message += " (" + snapshot.status_reason + ")";
  return Failure{FailureKind::NeedsReauth,
                 message + ": the end user must connect again through a connect session"};
}

}  // namespace keyhop::credentials
