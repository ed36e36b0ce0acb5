#include "core/store/multi_row.hpp"

#include <string_view>

namespace keyhop::store {

std::string repeatedRows(const Sql& row_sql, int params, std::size_t rows, char sigil) {
  const std::string_view row = row_sql.text();
  std::string text;
  text.reserve(rows * (row.size() + 8));
  for (std::size_t copy = 0; copy < rows; ++copy) {
    if (copy > 0) text += ", ";
    const std::size_t offset = copy * static_cast<std::size_t>(params);
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (row[i] != '$' || i + 1 >= row.size() || row[i + 1] < '0' || row[i + 1] > '9') {
        text += row[i];
        continue;
      }
      std::size_t number = 0;
      while (i + 1 < row.size() && row[i + 1] >= '0' && row[i + 1] <= '9') {
        number = number * 10 + static_cast<std::size_t>(row[++i] - '0');
      }
      text += sigil;
      text += std::to_string(offset + number);
    }
  }
  return text;
}

}  // namespace keyhop::store
