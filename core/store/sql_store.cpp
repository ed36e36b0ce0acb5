#include "core/store/sql_store.hpp"

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/SQLite/Connector.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>

#include "core/store/identifiers.hpp"
#include "core/store/migrations.hpp"
#include "core/store/sql.hpp"
#include "core/store/unix_time.hpp"

namespace keyhop::store {

using Poco::Data::Keywords::bind;
using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;

namespace {

// Enough for the worker pool and the background refresher without holding a connection per
// idle thread; connections open on first use.
constexpr std::size_t kPoolCapacity = 8;

constexpr Sql kIntegrationOfAccount =
    "SELECT COUNT(*) FROM integrations WHERE account_id = $1 AND id = $2";

void registerConnectors() {
  static std::once_flag once;
  std::call_once(once, [] {
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::PostgreSQL::Connector::registerConnector();
  });
}

// SQLite creates a missing file with the process umask; the database holds hashes and sealed
// secrets only, but nobody else has any business reading it (its -wal and -shm files copy its
// mode). Creates the parent directory too, as a first start with ./var/store.db needs.
void createSqliteFile(const std::string& path) {
  const std::filesystem::path file(path);
  std::error_code error;
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), error);
  if (error) {
    throw StoreError("cannot create the directory of SQLite database " + path + ": " +
                     error.message());
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    ::close(fd);
  } else if (errno != EEXIST) {
    throw StoreError("cannot create SQLite database " + path + ": " + std::strerror(errno));
  }
}

}  // namespace

std::string_view toString(ConnectionStatus status) {
  return status == ConnectionStatus::Active ? "active" : "needs_reauth";
}

SqlStore::SqlStore(const StoreLocation& location, const vault::Vault& vault)
    : vault_(vault), dialect_(location.backend), pool_(location, dialect_, kPoolCapacity) {
  schema_version_ = withSession("migrating the schema", [this](Poco::Data::Session& session) {
    return migrate(session, dialect_);
  });
}

std::string SqlStore::seal(std::string_view table, std::string_view column, std::string_view row,
                           std::string_view plaintext) const {
  const std::string context =
      std::string(table) + "/" + std::string(column) + "/" + std::string(row);
  return vault_.seal(plaintext, context);
}

std::string SqlStore::unseal(std::string_view table, std::string_view column, std::string_view row,
                             std::string_view sealed) const {
  const std::string context =
      std::string(table) + "/" + std::string(column) + "/" + std::string(row);
  vault::Opened opened = vault_.open(sealed, context);
  if (!opened) {
    throw StoreError("cannot decrypt " + std::string(table) + "." + std::string(column) +
                     " of row " + std::string(row) + ": " + opened.message);
  }
  return std::move(*opened.plaintext);
}

bool SqlStore::integrationBelongsTo(Poco::Data::Session& session, const std::string& account_id,
                                    const std::string& integration_id) {
  Poco::Int64 count = 0;
  session << kIntegrationOfAccount.text(), into(count), bind(account_id), bind(integration_id), now;
  return count > 0;
}

std::unique_ptr<Store> openStore(const std::string& url, const vault::Vault& vault) {
  const ParsedStoreUrl parsed = parseStoreUrl(url);
  if (!parsed) throw StoreError("store: " + parsed.error);
  registerConnectors();
  if (parsed.location->backend == Backend::Sqlite) {
    createSqliteFile(parsed.location->connection_string);
  }
  return std::make_unique<SqlStore>(*parsed.location, vault);
}

}  // namespace keyhop::store
