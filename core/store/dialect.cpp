#include "core/store/dialect.hpp"

#include <Poco/Data/DataException.h>
#include <Poco/Data/SQLite/SQLiteException.h>

#include <chrono>
#include <thread>

#include <cstdio>
#include <string>

#include "core/store/sql.hpp"

namespace keyhop::store {
namespace {

using Poco::Data::Keywords::bind;
using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;

constexpr int kBusyTimeoutMs = 10000;
constexpr int kWalRetryMs = 10;
// Any constant works as long as every keyhop uses the same one: "keyhop" in ASCII.
constexpr Poco::Int64 kMigrationLockKey = 0x6b6579686f70;

void prepareSqlite(Poco::Data::Session& session) {
  std::string version;
  session << "SELECT sqlite_version()", into(version), now;
  int major = 0, minor = 0;
  if (std::sscanf(version.c_str(), "%d.%d", &major, &minor) != 2 || (major == 3 && minor < 35) ||
      major < 3) {
    throw Poco::Data::DataException("SQLite " + version + " is too old: keyhop needs 3.35+");
  }
  Poco::Int64 timeout = 0;
  session << "PRAGMA busy_timeout = " + std::to_string(kBusyTimeoutMs), into(timeout), now;
  std::string mode;
  // Switching a fresh file to WAL needs the database to itself, and SQLite answers "database is
  // locked" at once, without its busy handler, while another connection is setting up too
  // (several keyhop processes, or a pool's first sessions, starting together).
  for (int attempt = 1;; ++attempt) {
    try {
      session << "PRAGMA journal_mode = WAL", into(mode), now;
      break;
    } catch (const Poco::Data::SQLite::DBLockedException&) {
      if (attempt * kWalRetryMs >= kBusyTimeoutMs) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(kWalRetryMs));
    }
  }
  if (mode != "wal") {
    throw Poco::Data::DataException("SQLite refused WAL mode (journal_mode is " + mode + ")");
  }
  session << "PRAGMA synchronous = FULL", now;
  session << "PRAGMA foreign_keys = ON", now;
}

}  // namespace

void Dialect::prepareSession(Poco::Data::Session& session) const {
  if (backend_ == Backend::Sqlite) {
    prepareSqlite(session);
  } else {
    // libpq prints NOTICEs on stderr by default ("relation already exists, skipping").
    session << "SET client_min_messages = warning", now;
  }
}

const char* Dialect::beginWrite() const {
  return backend_ == Backend::Sqlite ? "BEGIN IMMEDIATE" : "BEGIN";
}

void Dialect::lockForMigration(Poco::Data::Session& session) const {
  if (backend_ != Backend::Postgresql) return;
  static constexpr Sql kLock = "SELECT COUNT(*) FROM (SELECT pg_advisory_xact_lock($1)) AS l";
  Poco::Int64 locked = 0;
  session << kLock.text(), into(locked), bind(kMigrationLockKey), now;
}

}  // namespace keyhop::store
