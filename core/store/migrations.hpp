#pragma once

// Internal to the store. The schema's history: an ordered list of migrations, each applied once
// per database in its own transaction and recorded in `schema_version`. Both backends run the
// same statements (TEXT and BIGINT mean the same to both); a future migration that cannot be
// written that way gets per-backend statements here.

#include <Poco/Data/Session.h>

#include <vector>

#include "core/store/dialect.hpp"

namespace keyhop::store {

struct Migration {
  int version;
  const char* name;
  std::vector<const char*> statements;  // one statement each: PostgreSQL prepares them singly
};

const std::vector<Migration>& migrations();

// Brings the database up to the last migration and returns its version. Safe when several
// processes open the same database at once: each migration runs under the dialect's migration
// lock and re-reads the version first. Throws StoreError naming the migration that failed, or
// when the database is newer than this keyhop.
int migrate(Poco::Data::Session& session, const Dialect& dialect);

}  // namespace keyhop::store
