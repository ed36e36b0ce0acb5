#include "core/store/migrations.hpp"

#include <Poco/Exception.h>

#include <string>

#include "core/store/sql.hpp"
#include "core/store/store_error.hpp"
#include "core/store/unix_time.hpp"
#include "core/store/write_transaction.hpp"

namespace keyhop::store {

using Poco::Data::Keywords::bind;
using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> kMigrations = {
      {1,
       "accounts, integrations, connections, connect sessions, OAuth states, outbox",
       {
           "CREATE TABLE accounts ("
           " id TEXT PRIMARY KEY,"
           " name TEXT NOT NULL UNIQUE,"
           " secret_key_hash TEXT NOT NULL UNIQUE,"
           " public_key TEXT NOT NULL UNIQUE,"
           " created_at BIGINT NOT NULL,"
           " updated_at BIGINT NOT NULL)",

           // UNIQUE (account_id, id) is what the tables below reference: a connection, session
           // or state can only name an integration of its own account.
           "CREATE TABLE integrations ("
           " id TEXT PRIMARY KEY,"
           " account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,"
           " name TEXT NOT NULL,"
           " provider TEXT NOT NULL,"
           " client_id TEXT NOT NULL,"
           " client_secret TEXT NOT NULL,"
           " scopes TEXT NOT NULL,"
           " allowed_return_urls TEXT NOT NULL,"
           " settings TEXT NOT NULL,"
           " created_at BIGINT NOT NULL,"
           " updated_at BIGINT NOT NULL,"
           " UNIQUE (account_id, name),"
           " UNIQUE (account_id, id))",

           "CREATE TABLE connections ("
           " id TEXT PRIMARY KEY,"
           " account_id TEXT NOT NULL,"
           " integration_id TEXT NOT NULL,"
           " user_id TEXT NOT NULL,"
           " credentials TEXT NOT NULL,"
           " connection_fields TEXT NOT NULL,"
           " status TEXT NOT NULL CHECK (status IN ('active', 'needs_reauth')),"
           " status_reason TEXT NOT NULL,"
           " version BIGINT NOT NULL,"
           " created_at BIGINT NOT NULL,"
           " updated_at BIGINT NOT NULL,"
           " last_refresh_at BIGINT,"
           " UNIQUE (account_id, integration_id, user_id),"
           " FOREIGN KEY (account_id, integration_id)"
           "  REFERENCES integrations (account_id, id) ON DELETE CASCADE)",
           "CREATE INDEX connections_by_integration ON connections (integration_id)",

           "CREATE TABLE connect_sessions ("
           " token_hash TEXT PRIMARY KEY,"
           " account_id TEXT NOT NULL,"
           " integration_id TEXT NOT NULL,"
           " user_id TEXT NOT NULL,"
           " return_url TEXT NOT NULL,"
           " connection_fields TEXT NOT NULL,"
           " created_at BIGINT NOT NULL,"
           " expires_at BIGINT NOT NULL,"
           " used_at BIGINT,"
           " FOREIGN KEY (account_id, integration_id)"
           "  REFERENCES integrations (account_id, id) ON DELETE CASCADE)",
           "CREATE INDEX connect_sessions_by_expiry ON connect_sessions (expires_at)",
           "CREATE INDEX connect_sessions_by_integration ON connect_sessions (integration_id)",

           "CREATE TABLE oauth_states ("
           " state_hash TEXT PRIMARY KEY,"
           " account_id TEXT NOT NULL,"
           " integration_id TEXT NOT NULL,"
           " user_id TEXT NOT NULL,"
           " code_verifier TEXT NOT NULL,"
           " redirect_uri TEXT NOT NULL,"
           " return_url TEXT NOT NULL,"
           " connection_fields TEXT NOT NULL,"
           " created_at BIGINT NOT NULL,"
           " expires_at BIGINT NOT NULL,"
           " used_at BIGINT,"
           " FOREIGN KEY (account_id, integration_id)"
           "  REFERENCES integrations (account_id, id) ON DELETE CASCADE)",
           "CREATE INDEX oauth_states_by_expiry ON oauth_states (expires_at)",
           "CREATE INDEX oauth_states_by_integration ON oauth_states (integration_id)",

           "CREATE TABLE outbox ("
           " id TEXT PRIMARY KEY,"
           " account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,"
           " type TEXT NOT NULL,"
           " payload TEXT NOT NULL,"
           " created_at BIGINT NOT NULL,"
           " delivered_at BIGINT,"
           " attempts BIGINT NOT NULL)",
           "CREATE INDEX outbox_undelivered ON outbox (id) WHERE delivered_at IS NULL",
           "CREATE INDEX outbox_by_account ON outbox (account_id)",
       }},
      // OAuth 1.0a keeps its temporary credentials with the state: the token here (it travels
      // through the browser anyway) and the secret, sealed, in code_verifier.
      {2,
       "OAuth 1.0a temporary credentials on OAuth states",
       {
           "ALTER TABLE oauth_states ADD COLUMN request_token TEXT NOT NULL DEFAULT ''",
       }},
      // The refresh lease (docs/credentials.md "One refresh across instances"): owner NULL =
      // free; its expiry in unix milliseconds, so leases can be short. token_expires_at is the
      // access token's expiry in unix seconds, unsealed (an expiry is no secret) so the
      // proactive refresh worker can find what expires soon; NULL: never expires or unknown
      // (rows stored before this migration until their next refresh or re-authorization).
      {3,
       "refresh lease and token expiry on connections",
       {
           "ALTER TABLE connections ADD COLUMN refresh_lease_owner TEXT",
           "ALTER TABLE connections ADD COLUMN refresh_lease_expires_at BIGINT",
           "ALTER TABLE connections ADD COLUMN token_expires_at BIGINT",
           "CREATE INDEX connections_by_token_expiry ON connections (token_expires_at)",
       }},
  };
  return kMigrations;
}

namespace {

constexpr Sql kCreateVersionTable =
    "CREATE TABLE IF NOT EXISTS schema_version ("
    " version BIGINT PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " applied_at BIGINT NOT NULL)";
constexpr Sql kCurrentVersion = "SELECT COALESCE(MAX(version), 0) FROM schema_version";
constexpr Sql kRecordVersion =
    "INSERT INTO schema_version (version, name, applied_at) VALUES ($1, $2, $3)";

// One step under the migration lock: applies the first missing migration, if any. Returns the
// version the database has afterwards and whether there may be more to do.
std::pair<int, bool> migrateOneStep(Poco::Data::Session& session, const Dialect& dialect) {
  WriteTransaction transaction(session, dialect);
  dialect.lockForMigration(session);
  session << kCreateVersionTable.text(), now;
  Poco::Int64 current = 0;
  session << kCurrentVersion.text(), into(current), now;
  const int latest = migrations().back().version;
  if (current > latest) {
    throw StoreError("the database schema is version " + std::to_string(current) +
                     ", newer than this keyhop knows (" + std::to_string(latest) +
                     "): upgrade keyhop");
  }
  for (const Migration& migration : migrations()) {
    if (migration.version <= current) continue;
    try {
      for (const char* statement : migration.statements) session << statement, now;
      session << kRecordVersion.text(), bind(Poco::Int64(migration.version)),
          bind(std::string(migration.name)), bind(Poco::Int64(unixNow())), now;
      transaction.commit();
    } catch (const Poco::Exception& error) {
      throw StoreError("migration " + std::to_string(migration.version) + " (" + migration.name +
                       ") failed: " + error.displayText());
    }
    return {migration.version, migration.version < latest};
  }
  transaction.commit();
  return {static_cast<int>(current), false};
}

}  // namespace

int migrate(Poco::Data::Session& session, const Dialect& dialect) {
  for (;;) {
    const auto [version, more] = migrateOneStep(session, dialect);
    if (!more) return version;
  }
}

}  // namespace keyhop::store
