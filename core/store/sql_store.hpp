#pragma once

// Internal to the store. The one Store implementation: the same SQL on SQLite and PostgreSQL
// through Poco::Data, with a Dialect for the few differences. Its methods live in one file per
// entity (sql_store_*.cpp).

#include <Poco/Data/Session.h>
#include <Poco/Exception.h>

#include <string>
#include <string_view>

#include "core/store/dialect.hpp"
#include "core/store/session_pool.hpp"
#include "core/store/sql.hpp"
#include "core/store/store.hpp"
#include "core/store/store_url.hpp"
#include "core/store/write_transaction.hpp"

namespace keyhop::store {

class SqlStore final : public Store {
 public:
  // `vault` is owned by the caller and outlives the store. Connects and migrates; throws
  // StoreError.
  SqlStore(const StoreLocation& location, const vault::Vault& vault);

  WriteResult<CreatedAccount> createAccount(const std::string& name) override;
  std::optional<Account> findAccountBySecretKey(std::string_view secret_key) override;
  std::optional<Account> findAccountById(const std::string& id) override;
  std::optional<Account> findAccountByName(const std::string& name) override;
  std::vector<Account> listAccounts() override;

  WriteResult<Integration> createIntegration(const NewIntegration& integration) override;
  std::optional<Integration> findIntegrationByName(const std::string& account_id,
                                                   const std::string& name) override;
  std::optional<Integration> findIntegrationById(const std::string& account_id,
                                                 const std::string& id) override;
  std::vector<IntegrationInfo> listIntegrations(const std::string& account_id) override;

  WriteResult<UpsertedConnection> upsertConnection(const NewConnection& connection) override;
  std::vector<WriteResult<UpsertedConnection>> upsertConnections(
      const std::vector<NewConnection>& connections) override;
  std::optional<Connection> findConnection(const ConnectionKey& key) override;
  std::optional<Connection> findConnectionById(const std::string& id) override;
  std::vector<ConnectionInfo> listConnections(const std::string& account_id) override;
  WriteResult<std::int64_t> updateCredentials(const std::string& id, std::int64_t expected_version,
                                              const Credentials& credentials,
                                              const std::string& raw_token_response) override;
  WriteResult<std::int64_t> markNeedsReauth(const std::string& id, std::int64_t expected_version,
                                            const std::string& lease_owner,
                                            const std::string& reason) override;
  bool deleteConnection(const std::string& account_id, const std::string& id) override;

  LeaseAttempt acquireRefreshLease(const std::string& id, std::int64_t expected_version,
                                   std::chrono::milliseconds duration) override;
  bool releaseRefreshLease(const std::string& id, const std::string& owner) override;

  WriteResult<std::string> createConnectSession(const ConnectSession& session) override;
  std::optional<ConnectSession> consumeConnectSession(std::string_view token) override;
  WriteResult<std::string> createOAuthState(std::string token, const OAuthState& state) override;
  std::optional<OAuthState> consumeOAuthState(std::string_view state) override;
  std::size_t purgeExpired(std::int64_t grace_seconds) override;

  std::string enqueueEvent(const std::string& account_id, const std::string& type,
                           const std::string& payload_json) override;
  std::vector<OutboxEvent> undeliveredEvents(std::size_t limit) override;
  bool markEventDelivered(const std::string& id) override;
  bool recordFailedDelivery(const std::string& id) override;

  std::vector<RefreshCandidate> connectionsExpiringBefore(std::int64_t before,
                                                          const RefreshCandidate* after,
                                                          std::size_t limit) override;
  std::vector<RefreshCandidate> connectionsRefreshedBefore(const std::string& provider,
                                                           std::int64_t before,
                                                           const std::string& after_id,
                                                           std::size_t limit) override;

  std::size_t reencryptBatch(std::size_t limit) override;
  std::size_t countSealedWith(const std::string& key_id) override;

  int schemaVersion() const override { return schema_version_; }

 private:
  // Runs `operation(session)` on a leased connection. A Poco exception becomes a StoreError
  // saying what failed where; after any exception the connection is closed, not reused (it may
  // be broken or inside a transaction).
  template <typename Operation>
  auto withSession(const char* what, Operation&& operation);
  // The same with the lease itself, for operations that use its prepared statements.
  template <typename Operation>
  auto withLease(const char* what, Operation&& operation);
  // The same inside one write transaction, committed when `operation` returns.
  template <typename Operation>
  auto inTransaction(const char* what, Operation&& operation);

  // vault.seal(plaintext, "table/column/row").
  std::string seal(std::string_view table, std::string_view column, std::string_view row,
                   std::string_view plaintext) const;
  // Opens what seal() made; throws StoreError naming the row and the vault's reason.
  std::string unseal(std::string_view table, std::string_view column, std::string_view row,
                     std::string_view sealed) const;

  // The account's integration that `query` ($1 account id, $2 `key`) selects.
  std::optional<Integration> findIntegrationWhere(const Sql& query, const std::string& account_id,
                                                  const std::string& key);

  // The connection `fetch(rows)` selects into its vector of rows, with its credentials opened.
  template <typename Fetch>
  std::optional<Connection> findConnectionWhere(Fetch&& fetch);

  // Appends an event in the caller's transaction; returns its id.
  std::string enqueue(Poco::Data::Session& session, const std::string& account_id,
                      const std::string& type, const std::string& payload_json);
  // Whether the integration exists and belongs to the account.
  bool integrationBelongsTo(Poco::Data::Session& session, const std::string& account_id,
                            const std::string& integration_id);

  const vault::Vault& vault_;
  const Dialect dialect_;
  SessionPool pool_;
  int schema_version_ = 0;
};

template <typename Operation>
auto SqlStore::withSession(const char* what, Operation&& operation) {
  return withLease(what, [&](SessionPool::Lease& lease) { return operation(lease.session()); });
}

template <typename Operation>
auto SqlStore::withLease(const char* what, Operation&& operation) {
  try {
    auto lease = pool_.acquire();
    try {
      return operation(lease);
    } catch (...) {
      lease.discard();
      throw;
    }
  } catch (const Poco::Exception& error) {
    throw StoreError(std::string(what) + " failed on " + pool_.location().description + ": " +
                     error.displayText());
  }
}

template <typename Operation>
auto SqlStore::inTransaction(const char* what, Operation&& operation) {
  return withSession(what, [&](Poco::Data::Session& session) {
    WriteTransaction transaction(session, dialect_);
    auto result = operation(session);
    transaction.commit();
    return result;
  });
}

}  // namespace keyhop::store
