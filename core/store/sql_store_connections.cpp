// Connections: one end user's credentials for one integration, sealed, versioned.

#include <Poco/Nullable.h>
#include <Poco/Tuple.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "core/store/event_appender.hpp"
#include "core/store/identifiers.hpp"
#include "core/store/json_columns.hpp"
#include "core/store/multi_row.hpp"
#include "core/store/sql.hpp"
#include "core/store/sql_store.hpp"
#include "core/store/unix_time.hpp"

namespace keyhop::store {

using Poco::Data::Keywords::bind;
using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;
using Poco::Data::Keywords::use;

namespace {

#define KEYHOP_CONNECTION_COLUMNS                                                       \
  "id, account_id, integration_id, user_id, connection_fields, status, status_reason, " \
  "version, created_at, updated_at, last_refresh_at, credentials"
using ConnectionRow = Poco::Tuple<std::string, std::string, std::string, std::string, std::string,
                                  std::string, std::string, Poco::Int64, Poco::Int64, Poco::Int64,
                                  Poco::Nullable<Poco::Int64>, std::string>;

constexpr Sql kConnectionByKey =
    "SELECT " KEYHOP_CONNECTION_COLUMNS
    " FROM connections WHERE account_id = $1 AND integration_id = $2 AND user_id = $3";
constexpr Sql kConnectionById =
    "SELECT " KEYHOP_CONNECTION_COLUMNS " FROM connections WHERE id = $1";
constexpr Sql kConnectionsOfAccount =
    "SELECT " KEYHOP_CONNECTION_COLUMNS " FROM connections WHERE account_id = $1 ORDER BY id";

constexpr Sql kIntegrationNameAndProvider =
    "SELECT name, provider FROM integrations WHERE account_id = $1 AND id = $2";
// New connections go in many rows per statement (multi_row.hpp); a row whose key exists is
// skipped and absent from what RETURNING gives back.
constexpr const char* kInsertConnectionsHead =
    "INSERT INTO connections (id, account_id, integration_id, user_id, credentials,"
    " connection_fields, status, status_reason, version, created_at, updated_at,"
    " token_expires_at) VALUES ";
constexpr Sql kConnectionRow = "($1, $2, $3, $4, $5, $6, 'active', '', 1, $7, $7, $8)";
constexpr int kConnectionRowParams = 8;
constexpr const char* kInsertConnectionsTail =
    " ON CONFLICT (account_id, integration_id, user_id) DO NOTHING RETURNING id";
constexpr Sql kConnectionIdByKey =
    "SELECT id FROM connections WHERE account_id = $1 AND integration_id = $2 AND user_id = $3";
constexpr Sql kReauthorizeConnection =
    "UPDATE connections SET credentials = $1, connection_fields = $2, status = 'active',"
    " status_reason = '', version = version + 1, updated_at = $3, token_expires_at = $4"
    " WHERE id = $5 RETURNING version, created_at";
// Fenced by the version alone, not by the refresh lease: a token endpoint's success is the newest
// grant whoever holds the lease. Of two refreshes racing with one rotating refresh token only
// one succeeds; refusing its answer because its lease was taken over would throw away the only
// refresh token the provider still accepts. A taken-over holder's answer is stale exactly when
// someone wrote after the version it read, and then the version refuses it.
constexpr Sql kUpdateCredentials =
    "UPDATE connections SET credentials = $1, status = 'active', status_reason = '',"
    " version = version + 1, updated_at = $2, last_refresh_at = $2, token_expires_at = $3"
    " WHERE id = $4 AND version = $5 RETURNING version";
// Fenced by the version and the lease owner: a refusal seen by a holder whose lease was taken
// over most likely comes from the new holder's refresh having consumed the refresh token
// (rotation), and that holder's success may not be written yet, so the version alone would let
// the stale refusal win. Not by the lease's expiry: an expired lease nobody took over means
// nobody else refreshed, so the holder's outcome is still the newest.
constexpr Sql kMarkNeedsReauth =
    "UPDATE connections SET status = 'needs_reauth', status_reason = $1,"
    " version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4"
    " AND refresh_lease_owner = $5 RETURNING version, integration_id, user_id, account_id";
constexpr Sql kConnectionExists = "SELECT COUNT(*) FROM connections WHERE id = $1";
constexpr Sql kConnectionVersion = "SELECT version FROM connections WHERE id = $1";
constexpr Sql kDeleteConnection =
    "DELETE FROM connections WHERE id = $1 AND account_id = $2 RETURNING integration_id, user_id";

// Under PostgreSQL's read committed, the row an upsert found can vanish before it is updated
// (a concurrent delete); the upsert then starts over. SQLite's write lock rules that out.
constexpr int kUpsertAttempts = 3;

// (name, provider) of an integration, or nothing when it is not the account's.
using IntegrationRef = std::optional<std::pair<std::string, std::string>>;

// One connection of a batch on its way in: the values its row is inserted with.
struct PendingRow {
  std::size_t index = 0;  // in the batch
  // The integration's name and provider, in upsertConnections' map of them.
  const std::pair<std::string, std::string>* integration = nullptr;
  std::string id, account_id, integration_id, user_id;
  std::string plaintext;  // the credentials JSON, kept to re-seal for another row id
  std::string sealed, fields;
  Poco::Int64 time = 0;
  Poco::Nullable<Poco::Int64> token_expires_at;
};

// Inserts the rows whose key is free with one statement; returns the ids of those inserted.
std::set<std::string> insertRows(Poco::Data::Session& session, const Dialect& dialect,
                                 std::vector<PendingRow>& rows) {
  if (rows.empty()) return {};
  const std::string text =
      kInsertConnectionsHead +
      repeatedRows(kConnectionRow, kConnectionRowParams, rows.size(), dialect.placeholderSigil()) +
      kInsertConnectionsTail;
  std::vector<std::string> inserted;
  Poco::Data::Statement insert(session);
  insert << text, into(inserted);
  for (PendingRow& row : rows) {
    insert, use(row.id), use(row.account_id), use(row.integration_id), use(row.user_id),
        use(row.sealed), use(row.fields), use(row.time), use(row.token_expires_at);
  }
  insert.execute();
  return {inserted.begin(), inserted.end()};
}

// findConnection's query, kept prepared on each pooled connection (SessionPool::Lease::prepared):
// the proxy runs it on every call.
struct ConnectionByKeyQuery {
  explicit ConnectionByKeyQuery(Poco::Data::Session& session) : statement(session) {
    statement << kConnectionByKey.text(), into(rows), use(account_id), use(integration_id),
        use(user_id);
  }
  std::string account_id, integration_id, user_id;
  std::vector<ConnectionRow> rows;
  Poco::Data::Statement statement;  // last: it refers to the members above
};

ConnectionInfo toConnectionInfo(const ConnectionRow& row) {
  ConnectionInfo info;
  info.id = row.get<0>();
  info.key = ConnectionKey{row.get<1>(), row.get<2>(), row.get<3>()};
  auto fields = decodeMap(row.get<4>());
  if (!fields) throw StoreError("connection " + info.id + " has malformed connection_fields");
  info.connection_fields = std::move(*fields);
  info.status =
      row.get<5>() == "needs_reauth" ? ConnectionStatus::NeedsReauth : ConnectionStatus::Active;
  info.status_reason = row.get<6>();
  info.version = row.get<7>();
  info.created_at = row.get<8>();
  info.updated_at = row.get<9>();
  if (!row.get<10>().isNull()) info.last_refresh_at = row.get<10>().value();
  return info;
}

// The unsealed copy of the access token's expiry the proactive refresh worker looks for.
Poco::Nullable<Poco::Int64> tokenExpiry(const Credentials& credentials) {
  if (!credentials.expires_at) return {};
  return Poco::Int64(*credentials.expires_at);
}

std::string connectionPayload(const std::string& connection_id, const ConnectionKey& key,
                              std::map<std::string, std::string> extra = {}) {
  extra["connection_id"] = connection_id;
  extra["integration_id"] = key.integration_id;
  extra["user_id"] = key.user_id;
  return encodeMap(extra);
}

}  // namespace

WriteResult<UpsertedConnection> SqlStore::upsertConnection(const NewConnection& connection) {
  return std::move(upsertConnections({connection}).front());
}

std::vector<WriteResult<UpsertedConnection>> SqlStore::upsertConnections(
    const std::vector<NewConnection>& connections) {
  return inTransaction("storing connections", [&](Poco::Data::Session& session) {
    // (account, integration) -> (name, provider), or nothing when it is not the account's.
    std::map<std::pair<std::string, std::string>, IntegrationRef> integrations;
    std::vector<WriteResult<UpsertedConnection>> results(connections.size());
    // Chunk by chunk: one multi-row INSERT tries every new row of the chunk; the rows it did not
    // insert (the key exists) are re-authorized one by one, then the chunk's events go in.
    for (std::size_t first = 0; first < connections.size(); first += kRowsPerInsert) {
      const std::size_t end = std::min(first + kRowsPerInsert, connections.size());
      std::vector<PendingRow> rows;
      for (std::size_t index = first; index < end; ++index) {
        const NewConnection& connection = connections[index];
        const ConnectionKey& key = connection.key;
        auto [integration, unseen] = integrations.try_emplace({key.account_id, key.integration_id});
        if (unseen) {
          std::vector<Poco::Tuple<std::string, std::string>> found;
          session << kIntegrationNameAndProvider.text(), into(found), bind(key.account_id),
              bind(key.integration_id), now;
          if (!found.empty()) {
            integration->second.emplace(found.front().get<0>(), found.front().get<1>());
          }
        }
        if (!integration->second) {
          results[index] = {std::nullopt, WriteFailure::NotFound};
          continue;
        }
        PendingRow& row = rows.emplace_back();
        row.index = index;
        row.integration = &*integration->second;
        row.id = newRowId("con");
        row.account_id = key.account_id;
        row.integration_id = key.integration_id;
        row.user_id = key.user_id;
        row.plaintext = encodeCredentials(connection.credentials, connection.raw_token_response);
        row.sealed = seal("connections", "credentials", row.id, row.plaintext);
        row.fields = encodeMap(connection.credentials.connection_fields);
        row.time = unixNow();
        row.token_expires_at = tokenExpiry(connection.credentials);
      }
      const std::set<std::string> inserted = insertRows(session, dialect_, rows);

      std::vector<NewEvent> events;
      for (PendingRow& row : rows) {
        const ConnectionKey& key = connections[row.index].key;
        UpsertedConnection upserted;
        ConnectionInfo& info = upserted.info;
        info.key = key;
        info.connection_fields = connections[row.index].credentials.connection_fields;
        info.created_at = info.updated_at = row.time;
        if (inserted.count(row.id)) {
          info.id = row.id;
          info.version = 1;
          upserted.created = true;
        }
        // The key exists: re-authorize that row, keeping its id, so the credentials are sealed
        // for that id. Should it vanish meanwhile (PostgreSQL), insert anew.
        for (int attempt = 0; attempt < kUpsertAttempts && info.version == 0; ++attempt) {
          if (attempt > 0) {
            row.id = newRowId("con");
            row.sealed = seal("connections", "credentials", row.id, row.plaintext);
            std::vector<PendingRow> retry{row};
            if (!insertRows(session, dialect_, retry).empty()) {
              info.id = row.id;
              info.version = 1;
              upserted.created = true;
              break;
            }
          }
          std::vector<std::string> existing;
          session << kConnectionIdByKey.text(), into(existing), bind(key.account_id),
              bind(key.integration_id), bind(key.user_id), now;
          if (existing.empty()) continue;
          info.id = existing.front();
          std::vector<Poco::Tuple<Poco::Int64, Poco::Int64>> updated;
          session << kReauthorizeConnection.text(), into(updated),
              bind(seal("connections", "credentials", info.id, row.plaintext)), bind(row.fields),
              bind(row.time), bind(row.token_expires_at), bind(info.id), now;
          if (updated.empty()) continue;
          info.version = updated.front().get<0>();
          info.created_at = updated.front().get<1>();
        }
        if (info.version == 0) {
          throw StoreError("connection " + info.id + " kept changing while being stored");
        }
        events.push_back({key.account_id,
                          upserted.created ? "connection.created" : "connection.reauthorized",
                          connectionPayload(info.id, key,
                                            {{"integration", row.integration->first},
                                             {"provider", row.integration->second}})});
        results[row.index] = {std::move(upserted), {}};
      }
      appendEvents(session, dialect_, std::move(events));
    }
    return results;
  });
}

template <typename Fetch>
std::optional<Connection> SqlStore::findConnectionWhere(Fetch&& fetch) {
  std::vector<ConnectionRow> rows;
  fetch(rows);
  if (rows.empty()) return std::nullopt;
  const ConnectionRow& row = rows.front();
  Connection connection;
  connection.info = toConnectionInfo(row);
  const std::string plaintext =
      unseal("connections", "credentials", connection.info.id, row.get<11>());
  auto decoded = decodeCredentials(plaintext);
  if (!decoded) {
    throw StoreError("connection " + connection.info.id + " has malformed credentials");
  }
  connection.credentials = std::move(decoded->credentials);
  connection.credentials.connection_fields = connection.info.connection_fields;
  connection.raw_token_response = std::move(decoded->raw_response);
  return connection;
}

std::optional<Connection> SqlStore::findConnection(const ConnectionKey& key) {
  return findConnectionWhere([&](std::vector<ConnectionRow>& rows) {
    withLease("looking up a connection", [&](SessionPool::Lease& lease) {
      auto& query = lease.prepared<ConnectionByKeyQuery>();
      query.account_id = key.account_id;
      query.integration_id = key.integration_id;
      query.user_id = key.user_id;
      query.rows.clear();
      query.statement.execute();
      rows.swap(query.rows);
    });
  });
}

std::optional<Connection> SqlStore::findConnectionById(const std::string& id) {
  return findConnectionWhere([&](std::vector<ConnectionRow>& rows) {
    withSession("looking up a connection", [&](Poco::Data::Session& session) {
      session << kConnectionById.text(), into(rows), bind(id), now;
    });
  });
}

std::vector<ConnectionInfo> SqlStore::listConnections(const std::string& account_id) {
  std::vector<ConnectionRow> rows;
  withSession("listing connections", [&](Poco::Data::Session& session) {
    session << kConnectionsOfAccount.text(), into(rows), bind(account_id), now;
  });
  std::vector<ConnectionInfo> connections;
  for (const auto& row : rows) connections.push_back(toConnectionInfo(row));
  return connections;
}

WriteResult<std::int64_t> SqlStore::updateCredentials(const std::string& id,
                                                      std::int64_t expected_version,
                                                      const Credentials& credentials,
                                                      const std::string& raw_token_response) {
  const std::string sealed =
      seal("connections", "credentials", id, encodeCredentials(credentials, raw_token_response));
  return withSession("updating credentials", [&](Poco::Data::Session& session) {
    std::vector<Poco::Int64> versions;
    session << kUpdateCredentials.text(), into(versions), bind(sealed),
        bind(Poco::Int64(unixNow())), bind(tokenExpiry(credentials)), bind(id),
        bind(Poco::Int64(expected_version)), now;
    if (!versions.empty()) return WriteResult<std::int64_t>{versions.front(), {}};
    Poco::Int64 exists = 0;
    session << kConnectionExists.text(), into(exists), bind(id), now;
    return WriteResult<std::int64_t>{
        std::nullopt, exists ? WriteFailure::VersionMismatch : WriteFailure::NotFound};
  });
}

WriteResult<std::int64_t> SqlStore::markNeedsReauth(const std::string& id,
                                                    std::int64_t expected_version,
                                                    const std::string& lease_owner,
                                                    const std::string& reason) {
  return inTransaction(
      "marking a connection for re-authorization", [&](Poco::Data::Session& session) {
        std::vector<Poco::Tuple<Poco::Int64, std::string, std::string, std::string>> rows;
        session << kMarkNeedsReauth.text(), into(rows), bind(reason), bind(Poco::Int64(unixNow())),
            bind(id), bind(Poco::Int64(expected_version)), bind(lease_owner), now;
        if (rows.empty()) {
          std::vector<Poco::Int64> versions;
          session << kConnectionVersion.text(), into(versions), bind(id), now;
          // At the version expected, only the lease owner can have refused it.
          WriteFailure failure = WriteFailure::NotFound;
          if (!versions.empty()) {
            failure = versions.front() == expected_version ? WriteFailure::LeaseLost
                                                           : WriteFailure::VersionMismatch;
          }
          return WriteResult<std::int64_t>{std::nullopt, failure};
        }
        const auto& row = rows.front();
        const ConnectionKey key{row.get<3>(), row.get<1>(), row.get<2>()};
        EventAppender(session).append(key.account_id, "connection.refresh_failed",
                                      connectionPayload(id, key, {{"reason", reason}}));
        return WriteResult<std::int64_t>{row.get<0>(), {}};
      });
}

bool SqlStore::deleteConnection(const std::string& account_id, const std::string& id) {
  return inTransaction("deleting a connection", [&](Poco::Data::Session& session) {
    std::vector<Poco::Tuple<std::string, std::string>> rows;
    session << kDeleteConnection.text(), into(rows), bind(id), bind(account_id), now;
    if (rows.empty()) return false;
    EventAppender(session).append(
        account_id, "connection.deleted",
        connectionPayload(id, {account_id, rows.front().get<0>(), rows.front().get<1>()}));
    return true;
  });
}

}  // namespace keyhop::store
