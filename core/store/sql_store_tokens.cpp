// Connect sessions and OAuth states: single-use, expiring, stored under the SHA-256 of their
// token. Consuming one is a single UPDATE ... WHERE used_at IS NULL, so it happens at most once
// even when two requests race.

#include <Poco/Tuple.h>

#include "core/store/identifiers.hpp"
#include "core/store/json_columns.hpp"
#include "core/store/sql.hpp"
#include "core/store/sql_store.hpp"
#include "core/store/unix_time.hpp"

namespace keyhop::store {

using Poco::Data::Keywords::bind;
using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;

namespace {

constexpr Sql kInsertConnectSession =
    "INSERT INTO connect_sessions (token_hash, account_id, integration_id, user_id, return_url,"
    " connection_fields, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
constexpr Sql kConsumeConnectSession =
    "UPDATE connect_sessions SET used_at = $1"
    " WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1"
    " RETURNING account_id, integration_id, user_id, return_url, connection_fields, expires_at";
constexpr Sql kInsertOAuthState =
    "INSERT INTO oauth_states (state_hash, account_id, integration_id, user_id, code_verifier,"
    " redirect_uri, return_url, connection_fields, created_at, expires_at, request_token)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
constexpr Sql kConsumeOAuthState =
    "UPDATE oauth_states SET used_at = $1"
    " WHERE state_hash = $2 AND used_at IS NULL AND expires_at > $1"
    " RETURNING account_id, integration_id, user_id, code_verifier, redirect_uri, return_url,"
    " connection_fields, expires_at, request_token";
constexpr Sql kPurgeConnectSessions = "DELETE FROM connect_sessions WHERE expires_at < $1";
constexpr Sql kPurgeOAuthStates = "DELETE FROM oauth_states WHERE expires_at < $1";

std::map<std::string, std::string> fieldsOf(const std::string& table, const std::string& json) {
  auto fields = decodeMap(json);
  if (!fields) throw StoreError("a row of " + table + " has malformed connection_fields");
  return std::move(*fields);
}

}  // namespace

WriteResult<std::string> SqlStore::createConnectSession(const ConnectSession& session) {
  std::string token = newSecretToken("cs");
  const bool stored = withSession("creating a connect session", [&](Poco::Data::Session& db) {
    if (!integrationBelongsTo(db, session.account_id, session.integration_id)) return false;
    db << kInsertConnectSession.text(), bind(sha256Hex(token)), bind(session.account_id),
        bind(session.integration_id), bind(session.user_id), bind(session.return_url),
        bind(encodeMap(session.connection_fields)), bind(Poco::Int64(unixNow())),
        bind(Poco::Int64(session.expires_at)), now;
    return true;
  });
  if (!stored) return {std::nullopt, WriteFailure::NotFound};
  return {std::move(token), {}};
}

std::optional<ConnectSession> SqlStore::consumeConnectSession(std::string_view token) {
  using Row =
      Poco::Tuple<std::string, std::string, std::string, std::string, std::string, Poco::Int64>;
  std::vector<Row> rows;
  withSession("consuming a connect session", [&](Poco::Data::Session& db) {
    db << kConsumeConnectSession.text(), into(rows), bind(Poco::Int64(unixNow())),
        bind(sha256Hex(token)), now;
  });
  if (rows.empty()) return std::nullopt;
  const Row& row = rows.front();
  return ConnectSession{row.get<0>(),
                        row.get<1>(),
                        row.get<2>(),
                        row.get<3>(),
                        fieldsOf("connect_sessions", row.get<4>()),
                        row.get<5>()};
}

std::string newOAuthStateToken() { return newSecretToken("st"); }

WriteResult<std::string> SqlStore::createOAuthState(std::string token, const OAuthState& state) {
  const std::string hash = sha256Hex(token);
  const std::string sealed = seal("oauth_states", "code_verifier", hash, state.code_verifier);
  const bool stored = withSession("creating an OAuth state", [&](Poco::Data::Session& db) {
    if (!integrationBelongsTo(db, state.account_id, state.integration_id)) return false;
    db << kInsertOAuthState.text(), bind(hash), bind(state.account_id), bind(state.integration_id),
        bind(state.user_id), bind(sealed), bind(state.redirect_uri), bind(state.return_url),
        bind(encodeMap(state.connection_fields)), bind(Poco::Int64(unixNow())),
        bind(Poco::Int64(state.expires_at)), bind(state.request_token), now;
    return true;
  });
  if (!stored) return {std::nullopt, WriteFailure::NotFound};
  return {std::move(token), {}};
}

std::optional<OAuthState> SqlStore::consumeOAuthState(std::string_view state) {
  using Row = Poco::Tuple<std::string, std::string, std::string, std::string, std::string,
                          std::string, std::string, Poco::Int64, std::string>;
  const std::string hash = sha256Hex(state);
  std::vector<Row> rows;
  withSession("consuming an OAuth state", [&](Poco::Data::Session& db) {
    db << kConsumeOAuthState.text(), into(rows), bind(Poco::Int64(unixNow())), bind(hash), now;
  });
  if (rows.empty()) return std::nullopt;
  const Row& row = rows.front();
  return OAuthState{row.get<0>(),
                    row.get<1>(),
                    row.get<2>(),
                    unseal("oauth_states", "code_verifier", hash, row.get<3>()),
                    row.get<4>(),
                    row.get<5>(),
                    fieldsOf("oauth_states", row.get<6>()),
                    row.get<7>(),
                    row.get<8>()};
}

std::size_t SqlStore::purgeExpired(std::int64_t grace_seconds) {
  const Poco::Int64 before = unixNow() - grace_seconds;
  return withSession("purging expired sessions", [&](Poco::Data::Session& db) {
    Poco::Data::Statement sessions(db);
    sessions << kPurgeConnectSessions.text(), bind(before);
    Poco::Data::Statement states(db);
    states << kPurgeOAuthStates.text(), bind(before);
    return sessions.execute() + states.execute();
  });
}

}  // namespace keyhop::store
