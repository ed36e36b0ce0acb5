#pragma once

// Internal to the store. What differs between SQLite and PostgreSQL once the SQL is shared:
// how a connection is set up, how a write transaction starts, how migrations are serialised.

#include <Poco/Data/Session.h>

#include "core/store/store_url.hpp"

namespace keyhop::store {

class Dialect final {
 public:
  explicit Dialect(Backend backend) : backend_(backend) {}

  Backend backend() const { return backend_; }

  // Settings every new connection gets. SQLite: WAL (readers never wait for the writer),
  // synchronous=FULL (a commit survives power loss, not only a crash: a rotated refresh token
  // that is lost cannot be recovered), foreign keys on, a busy timeout so writers queue instead
  // of failing, and a check that the library has RETURNING (3.35). Throws Poco exceptions.
  void prepareSession(Poco::Data::Session& session) const;

  // SQLite: BEGIN IMMEDIATE takes the write lock up front, so a transaction that reads then
  // writes cannot fail half way with SQLITE_BUSY. PostgreSQL: BEGIN (read committed).
  const char* beginWrite() const;

  // What starts a numbered placeholder in SQL made at run time (multi_row.hpp). SQLite takes
  // "$N" as a name and looks names up one by one, so a statement with a thousand parameters
  // prepares in quadratic time; "?N" is a plain index there. PostgreSQL knows only "$N".
  char placeholderSigil() const { return backend_ == Backend::Sqlite ? '?' : '$'; }

  // Inside a write transaction: waits until no other process is migrating this database
  // (PostgreSQL: a transaction-scoped advisory lock; SQLite: BEGIN IMMEDIATE already did).
  void lockForMigration(Poco::Data::Session& session) const;

 private:
  Backend backend_;
};

}  // namespace keyhop::store
