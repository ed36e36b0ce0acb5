#pragma once

// keyhop's durable state behind one interface, on SQLite (default) or PostgreSQL (docs/store.md).
//
// The store encrypts at its boundary: callers pass and get plaintext secrets, and every secret
// column holds only vault.seal(value, "<table>/<column>/<row id>"), so a value copied to another
// row or column does not decrypt. Keys and single-use tokens are stored as SHA-256 hashes.
//
// Every method is safe to call from several threads at once; several processes may share one
// database. Expected outcomes are values (optional, WriteResult); StoreError means the database
// cannot be used (unreachable, broken, or a secret in it does not decrypt).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/store/lease_attempt.hpp"
#include "core/store/records.hpp"
#include "core/store/store_error.hpp"
#include "core/vault/vault.hpp"

namespace keyhop::store {

// A connection the proactive refresher may renew: what it needs to ask the credentials engine,
// no secret.
struct RefreshCandidate {
  std::string id;
  ConnectionKey key;
  std::string provider;  // its integration's
  std::int64_t version = 0;
  std::int64_t token_expires_at = 0;  // unix seconds
  std::int64_t refreshed_at = 0;      // the last refresh, or the creation if none
};

class Store {
 public:
  virtual ~Store() = default;

  // --- accounts ---
  // NameTaken when an account has this name.
  virtual WriteResult<CreatedAccount> createAccount(const std::string& name) = 0;
  // Hashes the key, looks the hash up and compares it in constant time.
  virtual std::optional<Account> findAccountBySecretKey(std::string_view secret_key) = 0;
  virtual std::optional<Account> findAccountById(const std::string& id) = 0;
  virtual std::optional<Account> findAccountByName(const std::string& name) = 0;
  virtual std::vector<Account> listAccounts() = 0;

  // --- integrations (always within one account) ---
  // NotFound when the account does not exist; NameTaken when the account has the name already.
  virtual WriteResult<Integration> createIntegration(const NewIntegration& integration) = 0;
  virtual std::optional<Integration> findIntegrationByName(const std::string& account_id,
                                                           const std::string& name) = 0;
  virtual std::optional<Integration> findIntegrationById(const std::string& account_id,
                                                         const std::string& id) = 0;
  virtual std::vector<IntegrationInfo> listIntegrations(const std::string& account_id) = 0;

  // --- connections ---
  // Creates the connection, or re-authorizes the existing one for the same key (new
  // credentials, status active, version + 1), and enqueues "connection.created" or
  // "connection.reauthorized" in the same transaction. NotFound when the integration is not
  // the account's.
  virtual WriteResult<UpsertedConnection> upsertConnection(const NewConnection& connection) = 0;
  // The same for many connections in one transaction (an import); results in input order.
  virtual std::vector<WriteResult<UpsertedConnection>> upsertConnections(
      const std::vector<NewConnection>& connections) = 0;
  virtual std::optional<Connection> findConnection(const ConnectionKey& key) = 0;
  virtual std::optional<Connection> findConnectionById(const std::string& id) = 0;
  virtual std::vector<ConnectionInfo> listConnections(const std::string& account_id) = 0;
  // Stores refreshed credentials if the connection is still at `expected_version`: status
  // becomes active, last_refresh_at now. connection_fields are kept. Returns the new version;
  // VersionMismatch when another writer got there first, NotFound when it is gone.
  virtual WriteResult<std::int64_t> updateCredentials(const std::string& id,
                                                      std::int64_t expected_version,
                                                      const Credentials& credentials,
                                                      const std::string& raw_token_response) = 0;
  // Marks the connection needs_reauth (if still at `expected_version`, and while `lease_owner`
  // holds its refresh lease) and enqueues "connection.refresh_failed" with the reason in the
  // same transaction. VersionMismatch, or LeaseLost when another caller took the lease over.
  virtual WriteResult<std::int64_t> markNeedsReauth(const std::string& id,
                                                    std::int64_t expected_version,
                                                    const std::string& lease_owner,
                                                    const std::string& reason) = 0;
  // Deletes the account's connection and enqueues "connection.deleted"; false when absent.
  virtual bool deleteConnection(const std::string& account_id, const std::string& id) = 0;

  // --- proactive refresh: connections to renew ahead of need (sql_store_refresh_due.cpp) ---
  // Active connections whose access token expires before `before` (unix seconds); a token with
  // no known expiry never does. Soonest first, at most `limit`, resuming after `after` (the
  // last of the previous page; null: from the start), so any number can be paged through.
  virtual std::vector<RefreshCandidate> connectionsExpiringBefore(std::int64_t before,
                                                                  const RefreshCandidate* after,
                                                                  std::size_t limit) = 0;
  // Active connections of `provider`'s integrations whose token has a known expiry and that
  // were last refreshed (never refreshed: created) before `before`: refresh tokens that may
  // lapse from disuse. By id, after `after_id` ("": from the start), at most `limit`.
  virtual std::vector<RefreshCandidate> connectionsRefreshedBefore(const std::string& provider,
                                                                   std::int64_t before,
                                                                   const std::string& after_id,
                                                                   std::size_t limit) = 0;

  // --- refresh leases: one refresh of a connection at a time, across processes ---
  // Takes the connection's refresh lease for `duration` with one conditional update: if the
  // lease is free or expired and the connection is still at `expected_version`. Of any number
  // of concurrent callers, in any process, at most one gets it. Expiry is on the database's
  // clock, so instances need not agree on the time. The owner token is from the CSPRNG.
  virtual LeaseAttempt acquireRefreshLease(const std::string& id, std::int64_t expected_version,
                                           std::chrono::milliseconds duration) = 0;
  // Frees the lease if `owner` still holds it; false when it does not (taken over, or the
  // connection is gone). Never frees another owner's lease.
  virtual bool releaseRefreshLease(const std::string& id, const std::string& owner) = 0;

  // --- connect sessions and OAuth states: stored hashed, single use, expiring ---
  // Returns the session token ("cs_..."), shown this once. NotFound when the integration is
  // not the account's.
  virtual WriteResult<std::string> createConnectSession(const ConnectSession& session) = 0;
  // The session, if the token is known, unused and unexpired; marks it used atomically, so of
  // two concurrent calls at most one gets it.
  virtual std::optional<ConnectSession> consumeConnectSession(std::string_view token) = 0;
  // Stores `state` under `token`, a fresh newOAuthStateToken() the caller may already have
  // handed out (OAuth 1.0a puts it in the callback URL it registers before the state is
  // stored). Returns the token. NotFound as for connect sessions.
  virtual WriteResult<std::string> createOAuthState(std::string token, const OAuthState& state) = 0;
  virtual std::optional<OAuthState> consumeOAuthState(std::string_view state) = 0;
  // Deletes connect sessions and OAuth states that expired more than `grace_seconds` ago.
  virtual std::size_t purgeExpired(std::int64_t grace_seconds) = 0;

  // --- event outbox ---
  virtual std::string enqueueEvent(const std::string& account_id, const std::string& type,
                                   const std::string& payload_json) = 0;
  // The oldest undelivered events first.
  virtual std::vector<OutboxEvent> undeliveredEvents(std::size_t limit) = 0;
  virtual bool markEventDelivered(const std::string& id) = 0;
  virtual bool recordFailedDelivery(const std::string& id) = 0;  // attempts + 1

  // --- key rotation ---
  // Re-seals up to `limit` secrets (every secret column) that are not sealed with the vault's
  // active key. Each row is rewritten only if it still holds the value read, so a concurrent
  // writer is never overwritten; versions do not change. Returns how many were re-sealed;
  // 0 means none is left.
  virtual std::size_t reencryptBatch(std::size_t limit) = 0;
  // How many stored secrets are sealed with key `key_id` (0: the key can be retired).
  virtual std::size_t countSealedWith(const std::string& key_id) = 0;

  // The applied schema version, for `keyhop` status output and tests.
  virtual int schemaVersion() const = 0;
};

// An OAuth `state` parameter: "st_" and 256 bits from the CSPRNG.
std::string newOAuthStateToken();

// Opens (creating a SQLite file and its directory if needed) and migrates the database at
// `url` (store_url.hpp). `vault` is owned by the caller and must outlive the store. Throws
// StoreError: bad URL, unreachable database, failed migration.
std::unique_ptr<Store> openStore(const std::string& url, const vault::Vault& vault);

}  // namespace keyhop::store
