#include "core/app/cli_args.hpp"

namespace keyhop::app {

std::optional<std::string> ParsedArgs::option(const std::string& name) const {
  auto [first, last] = options.equal_range(name);
  if (first == last) return std::nullopt;
  return std::prev(last)->second;
}

std::vector<std::string> ParsedArgs::options_named(const std::string& name) const {
  std::vector<std::string> values;
  auto [first, last] = options.equal_range(name);
  for (auto it = first; it != last; ++it) values.push_back(it->second);
  return values;
}

ParsedArgs parseArgs(const std::vector<std::string>& args, const std::string& command,
                     std::size_t min_positional, std::size_t max_positional,
                     const std::set<std::string>& options, const std::set<std::string>& flags) {
  ParsedArgs parsed;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.rfind("--", 0) != 0 || arg == "--") {
      parsed.positional.push_back(arg);
      continue;
    }
    const std::string name = arg.substr(2);
    if (flags.count(name)) {
      parsed.flags.insert(name);
    } else if (options.count(name)) {
      if (i + 1 == args.size()) throw UsageError(command + ": " + arg + " needs a value");
      parsed.options.emplace(name, args[++i]);
    } else {
      throw UsageError(command + ": unknown option '" + arg + "'");
    }
  }
  const auto count = parsed.positional.size();
  if (count < min_positional || count > max_positional) {
    throw UsageError(command + ": expected " +
                     (min_positional == max_positional
                          ? std::to_string(min_positional)
                          : std::to_string(min_positional) + " to " +
                                std::to_string(max_positional)) +
                     " argument(s), got " + std::to_string(count));
  }
  return parsed;
}

}  // namespace keyhop::app
