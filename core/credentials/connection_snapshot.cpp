#include "core/credentials/connection_snapshot.hpp"

#include <utility>

namespace keyhop::credentials {
namespace {

void takeConnection(ConnectionSnapshot& snapshot, store::Connection connection) {
  snapshot.key = std::move(connection.info.key);
  snapshot.connection_id = std::move(connection.info.id);
  snapshot.version = connection.info.version;
  snapshot.status = connection.info.status;
  snapshot.status_reason = std::move(connection.info.status_reason);
  snapshot.credentials = std::move(connection.credentials);
}

}  // namespace

SnapshotPtr snapshotOf(store::Connection connection, const store::Integration& integration,
                       const registry::ProviderEntry& provider) {
  auto snapshot = std::make_shared<ConnectionSnapshot>();
  takeConnection(*snapshot, std::move(connection));
  snapshot->provider = &provider;
  snapshot->client = {integration.info.client_id, integration.client_secret};
  snapshot->scopes = integration.info.scopes;
  return snapshot;
}

SnapshotPtr rebase(const ConnectionSnapshot& base, store::Connection connection) {
  auto snapshot = std::make_shared<ConnectionSnapshot>();
  takeConnection(*snapshot, std::move(connection));
  snapshot->provider = base.provider;
  snapshot->client = base.client;
  snapshot->scopes = base.scopes;
  return snapshot;
}

}  // namespace keyhop::credentials
