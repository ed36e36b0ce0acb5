#pragma once

// `keyhop providers check`: validates descriptor files and plugins without serving them,
// reporting every problem in every file.

#include <cstddef>
#include <filesystem>
#include <vector>

#include "core/registry/load_error.hpp"

namespace keyhop::app {

struct CheckReport {
  registry::LoadErrors errors;
  std::size_t files_checked = 0;
  std::size_t files_with_errors = 0;
  std::size_t providers = 0;  // valid providers found
};

// Each target is a descriptor (.yaml), a plugin (.so), or a directory holding them.
CheckReport checkCatalog(const std::vector<std::filesystem::path>& targets);

}  // namespace keyhop::app
