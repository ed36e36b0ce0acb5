// Refresh leases: which caller, in any process sharing the database, may refresh a connection
// now (docs/credentials.md "One refresh across instances").

#include <Poco/Nullable.h>
#include <Poco/Tuple.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "core/store/identifiers.hpp"
#include "core/store/sql.hpp"
#include "core/store/sql_store.hpp"

namespace keyhop::store {

using Poco::Data::Keywords::bind;
using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;

namespace {

// NOW_MS stands for the database's clock in unix milliseconds (clockedSql): one clock for every
// instance, so a lease expires at the same moment for all of them whatever their own clocks say.
constexpr Sql kAcquire =
    "UPDATE connections SET refresh_lease_owner = $1, refresh_lease_expires_at = NOW_MS + $2"
    " WHERE id = $3 AND version = $4"
    " AND (refresh_lease_owner IS NULL OR refresh_lease_expires_at <= NOW_MS) RETURNING id";
// Why an acquisition failed. The lease may have been released or have expired in between: the
// remaining time is then zero or negative and the caller tries again at once.
constexpr Sql kLeaseState =
    "SELECT version, refresh_lease_expires_at - NOW_MS FROM connections WHERE id = $1";
constexpr Sql kRelease =
    "UPDATE connections SET refresh_lease_owner = NULL, refresh_lease_expires_at = NULL"
    " WHERE id = $1 AND refresh_lease_owner = $2 RETURNING id";

// `sql` with NOW_MS replaced by the backend's current time in unix milliseconds. PostgreSQL:
// clock_timestamp(), not now(), which stands still for a whole transaction. SQLite: julianday
// has sub-millisecond resolution ('now' is fixed within one statement).
std::string clockedSql(const Sql& sql, Backend backend) {
  static constexpr std::string_view kToken = "NOW_MS";
  const std::string clock = backend == Backend::Sqlite
                                ? "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)"
                                : "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)";
  std::string text = sql.text();
  for (auto at = text.find(kToken); at != std::string::npos; at = text.find(kToken, at)) {
    text.replace(at, kToken.size(), clock);
    at += clock.size();
  }
  return text;
}

}  // namespace

LeaseAttempt SqlStore::acquireRefreshLease(const std::string& id, std::int64_t expected_version,
                                           std::chrono::milliseconds duration) {
  std::string owner = newSecretToken("lease");
  return withSession("taking a refresh lease", [&](Poco::Data::Session& session) {
    std::vector<std::string> taken;
    session << clockedSql(kAcquire, dialect_.backend()), into(taken), bind(owner),
        bind(Poco::Int64(duration.count())), bind(id), bind(Poco::Int64(expected_version)), now;
    if (!taken.empty()) return LeaseAttempt{LeaseOutcome::Acquired, std::move(owner), duration};

    std::vector<Poco::Tuple<Poco::Int64, Poco::Nullable<Poco::Int64>>> rows;
    session << clockedSql(kLeaseState, dialect_.backend()), into(rows), bind(id), now;
    if (rows.empty()) return LeaseAttempt{LeaseOutcome::NotFound, "", {}};
    if (rows.front().get<0>() != expected_version) {
      return LeaseAttempt{LeaseOutcome::VersionMismatch, "", {}};
    }
    const auto& remaining = rows.front().get<1>();
    return LeaseAttempt{LeaseOutcome::Held, "",
                        std::chrono::milliseconds(
                            remaining.isNull() ? 0 : std::max<Poco::Int64>(0, remaining.value()))};
  });
}

bool SqlStore::releaseRefreshLease(const std::string& id, const std::string& owner) {
  return withSession("releasing a refresh lease", [&](Poco::Data::Session& session) {
    std::vector<std::string> released;
    session << kRelease.text(), into(released), bind(id), bind(owner), now;
    return !released.empty();
  });
}

}  // namespace keyhop::store
