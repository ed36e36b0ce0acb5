#pragma once

// A throwaway PostgreSQL 15 cluster for the store tests, started as TOOLCHAIN.md says (initdb as
// the postgres user when run as root, a temp dir, a free loopback port, fsync off), and a fresh
// database per test. One cluster serves a whole ctest run: the fixture tests "postgres: start"
// and "postgres: stop" run keyhop_postgres_fixture, which writes the cluster's address to the
// file KEYHOP_TEST_POSTGRES names. A test binary run by hand starts its own cluster instead.

#include <cstdint>
#include <filesystem>
#include <string>

namespace keyhop::test {

constexpr const char* kPostgresBinDir = "/usr/lib/postgresql/15/bin";

// A running cluster: where it listens, its superuser, and the temp dir that holds it.
struct PostgresServer {
  std::uint16_t port = 0;
  std::string password;  // of the superuser "postgres"
  std::filesystem::path base;

  // "postgresql://postgres:PASSWORD@127.0.0.1:PORT/DBNAME", the store's URL form.
  std::string url(const std::string& dbname) const;
  // "host=127.0.0.1 port=PORT ...": the form Poco's PostgreSQL connector takes.
  std::string connectionString(const std::string& dbname) const;

  void save(const std::filesystem::path& file) const;
  // Throws std::runtime_error naming the file when it is missing or malformed.
  static PostgresServer load(const std::filesystem::path& file);
};

// Starts a cluster in a fresh temp dir. Throws std::runtime_error saying why it could not start
// (the failing command's output, the server log's tail): a test that needs PostgreSQL fails
// with the reason, never skips.
PostgresServer startPostgres();
// pg_ctl stop -m fast, then removes the temp dir. Never throws.
void stopPostgres(const PostgresServer& server);

// The cluster this process's tests share: the ctest fixture's, or one started on first use and
// stopped at exit. Throws std::runtime_error when there is none and none can start.
const PostgresServer& testPostgres();

// A database with a random name on testPostgres(), dropped (WITH (FORCE)) on destruction, so
// tests never see each other's rows.
class PostgresDatabase final {
 public:
  PostgresDatabase();
  ~PostgresDatabase();
  PostgresDatabase(const PostgresDatabase&) = delete;
  PostgresDatabase& operator=(const PostgresDatabase&) = delete;

  const std::string& name() const { return name_; }
  std::string url() const { return testPostgres().url(name_); }
  // The plain-SQL output of pg_dump for this database; throws std::runtime_error on failure.
  std::string dump() const;

 private:
  std::string name_;
};

}  // namespace keyhop::test
