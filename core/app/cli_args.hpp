#pragma once

// The small argument grammar every keyhop command shares: positional words, `--name VALUE`
// options (repeatable where a command says so) and `--flag` switches. Anything else is a
// UsageError, which the CLI turns into usage text and exit code 2.

#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace keyhop::app {

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ParsedArgs {
  std::vector<std::string> positional;
  std::multimap<std::string, std::string> options;
  std::set<std::string> flags;

  std::optional<std::string> option(const std::string& name) const;  // the last one given
  std::vector<std::string> options_named(const std::string& name) const;
  bool flag(const std::string& name) const { return flags.count(name) > 0; }
};

// `command` names the command in errors ("integrations add"). Options and flags are given
// without their leading "--". Throws UsageError for an unknown option or flag, an option
// without a value, or a positional count outside [min_positional, max_positional].
ParsedArgs parseArgs(const std::vector<std::string>& args, const std::string& command,
                     std::size_t min_positional, std::size_t max_positional,
                     const std::set<std::string>& options = {},
                     const std::set<std::string>& flags = {});

}  // namespace keyhop::app
