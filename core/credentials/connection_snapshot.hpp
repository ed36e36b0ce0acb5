#pragma once

// One version of a connection, decrypted, with what stamping and refreshing it need: what the
// credentials cache holds and what CredentialsEngine::fresh hands out.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/registry/registry.hpp"
#include "core/store/records.hpp"
#include "keyhop/provider.hpp"

namespace keyhop::credentials {

// Immutable once made: the cache and every caller share one object through a shared_ptr.
struct ConnectionSnapshot {
  store::ConnectionKey key;
  std::string connection_id;
  std::int64_t version = 0;
  store::ConnectionStatus status = store::ConnectionStatus::Active;
  std::string status_reason;
  Credentials credentials;
  const registry::ProviderEntry* provider = nullptr;  // owned by the registry; never null
  ClientRegistration client;                          // the integration's OAuth app
  std::vector<std::string> scopes;  // the integration's; client credentials asks for them
};

using SnapshotPtr = std::shared_ptr<const ConnectionSnapshot>;

// A snapshot of `connection` as its integration and provider define it.
SnapshotPtr snapshotOf(store::Connection connection, const store::Integration& integration,
                       const registry::ProviderEntry& provider);

// A snapshot of a newer version of the same connection: integration and provider from `base`.
SnapshotPtr rebase(const ConnectionSnapshot& base, store::Connection connection);

}  // namespace keyhop::credentials
