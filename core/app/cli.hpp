#pragma once

// The keyhop command line: parses arguments, runs one verb, returns the exit code (0 ok,
// 1 the verb failed, 2 usage error). Output goes to the given streams so tests can run it
// in-process.

#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "core/app/config.hpp"

namespace keyhop::app {

struct CliContext {
  Environment env;
  std::filesystem::path install_dir;  // directory of the keyhop executable
  std::ostream& out;
  std::ostream& err;
};

int runCli(const std::vector<std::string>& args, CliContext& context);

}  // namespace keyhop::app
