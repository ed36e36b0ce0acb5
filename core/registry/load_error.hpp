#pragma once

#include <string>
#include <vector>

namespace keyhop::registry {

// One problem found while loading a descriptor or a plugin. `line` and `column` are 1-based;
// 0 when the problem has no position (a file that cannot be read, a plugin that fails to load).
struct LoadError {
  std::string file;
  int line = 0;
  int column = 0;
  std::string message;

  // "file:line:column: message", or "file: message" without a position.
  std::string toString() const;
};

using LoadErrors = std::vector<LoadError>;

}  // namespace keyhop::registry
