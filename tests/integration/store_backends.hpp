#pragma once

// The two backends every [store] test case runs against, as Catch2 template types: a SQLite file
// in a temp dir, and a fresh database on the run's throwaway PostgreSQL cluster. Each gives the
// store URL, a raw connection for tests that reach under the store, and what lies on disk.

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include "core/store/store.hpp"
#include "core/store/store_url.hpp"
#include "core/vault/vault.hpp"
#include "tests/support/postgres_cluster.hpp"
#include "tests/support/temp_dir.hpp"

namespace keyhop::store::testing {

// Two fixed master keys, so a failure reproduces.
inline constexpr const char* kKeyOne = "k1:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=";
inline constexpr const char* kKeyTwo = "k2:AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=";

inline vault::Vault makeVault(const std::string& keys = kKeyOne) {
  return vault::Vault(vault::KeyRing::parse(keys, "test keys"));
}

// A connection that bypasses the store, for tests that tamper with rows or inspect them.
inline Poco::Data::Session rawSession(const std::string& url) {
  Poco::Data::SQLite::Connector::registerConnector();
  Poco::Data::PostgreSQL::Connector::registerConnector();
  const auto parsed = parseStoreUrl(url);
  Poco::Data::Session session(parsed.location->connector, parsed.location->connection_string);
  // Per connection in SQLite, as in the store, so the raw side gets the same constraints.
  if (parsed.location->backend == Backend::Sqlite) {
    session << "PRAGMA foreign_keys = ON", Poco::Data::Keywords::now;
  }
  return session;
}

inline std::string readFile(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

struct SqliteBackend {
  static constexpr bool kIsSqlite = true;
  test::TempDir dir;

  std::filesystem::path file() const { return dir.path() / "var" / "store.db"; }
  std::string url() const { return "sqlite://" + file().string(); }
  // Every byte SQLite keeps: the database file, and the write-ahead log not yet checkpointed.
  std::string bytesAtRest() const { return readFile(file()) + readFile(file().string() + "-wal"); }
};

struct PostgresBackend {
  static constexpr bool kIsSqlite = false;
  test::PostgresDatabase database;

  std::string url() const { return database.url(); }
  std::string bytesAtRest() const { return database.dump(); }
};

}  // namespace keyhop::store::testing
