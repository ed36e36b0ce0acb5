#pragma once

// Internal to the store. A query text both backends run as is.
//
// Placeholders are `$1, $2, ...` (PostgreSQL rejects `?`). SQLite takes `$N` as a *named*
// parameter and numbers names by first appearance, not by N, so "... $2 ... $1" would bind the
// values swapped on SQLite alone. A Sql therefore requires placeholders to first appear in
// order ($1 before $2 before $3; reusing an earlier one is fine), and a `constexpr Sql` checks
// that at compile time.

#include <stdexcept>
#include <string_view>

namespace keyhop::store {

constexpr bool placeholdersInOrder(std::string_view sql) {
  int highest = 0;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    if (sql[i] != '$' || i + 1 >= sql.size() || sql[i + 1] < '0' || sql[i + 1] > '9') continue;
    int number = 0;
    while (i + 1 < sql.size() && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
      number = number * 10 + (sql[++i] - '0');
    }
    if (number > highest + 1 || number == 0) return false;
    if (number == highest + 1) highest = number;
  }
  return true;
}

class Sql final {
 public:
  // Not explicit: `constexpr Sql kQuery = "...";` reads like the SQL it is.
  constexpr Sql(const char* text) : text_(text) {  // NOLINT(google-explicit-constructor)
    if (!placeholdersInOrder(text)) {
      throw std::logic_error("SQL placeholders must first appear in order $1, $2, ...");
    }
  }
  const char* text() const { return text_; }

 private:
  const char* text_;
};

}  // namespace keyhop::store
