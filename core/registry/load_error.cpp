#include "core/registry/load_error.hpp"

namespace keyhop::registry {

std::string LoadError::toString() const {
  if (line <= 0) return file + ": " + message;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

}  // namespace keyhop::registry
