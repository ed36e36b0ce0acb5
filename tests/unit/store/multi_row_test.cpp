#include "core/store/multi_row.hpp"

#include <catch2/catch.hpp>

using keyhop::store::repeatedRows;

TEST_CASE("repeatedRows numbers each copy's placeholders after the previous copy's", "[store]") {
  CHECK(repeatedRows("($1, 'a$', $2, $2, 'x')", 2, 3, '$') ==
        "($1, 'a$', $2, $2, 'x'), ($3, 'a$', $4, $4, 'x'), ($5, 'a$', $6, $6, 'x')");
  CHECK(repeatedRows("($1)", 1, 1, '$') == "($1)");
  CHECK(repeatedRows("($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)", 10, 2, '?') ==
        "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10), "
        "(?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)");
}
