#pragma once

// Internal to the store. One INSERT for many rows ("VALUES (...), (...), ..."), for batches:
// Poco re-prepares a SQLite statement at every execution, and every execution on PostgreSQL is
// a network round trip, so a batch inserts a chunk of rows per statement rather than one.

#include <cstddef>
#include <string>

#include "core/store/sql.hpp"

namespace keyhop::store {

// Rows per multi-row statement: large enough that preparing the statement costs little per row,
// small enough to stay far below both backends' limits on bound parameters (SQLite 32766,
// PostgreSQL 65535).
constexpr std::size_t kRowsPerInsert = 200;

// `rows` copies of `row`, one row's values with placeholders $1..$`params`, joined by ", " and
// renumbered: copy i uses (i*params+1)..((i+1)*params), each written `sigil` + number
// (Dialect::placeholderSigil), so placeholders still first appear in order.
std::string repeatedRows(const Sql& row, int params, std::size_t rows, char sigil);

}  // namespace keyhop::store
