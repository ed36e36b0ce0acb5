#pragma once

// The standalone fake provider's settings: command-line flags and a YAML file with the same
// names, both mapped onto FakeProvider's Options.

#include <string>
#include <utility>
#include <vector>

#include "tests/fakes/fake_provider.hpp"

namespace keyhop::fakes {

struct StandaloneConfig {
  Options options;
  ServerParams server;
  std::vector<std::pair<std::string, std::string>> credentials;  // seeded: credential, user
  bool clients_given = false;  // the first `client` replaces the default client
  bool help = false;
};

// Applies one setting by name ("access-token-ttl"); "" or why the value is wrong.
std::string applySetting(StandaloneConfig& config, const std::string& name,
                         const std::string& value);

// A YAML map of setting names to a value or, for repeatable settings, a list. Every problem.
std::vector<std::string> loadConfigFile(const std::string& path, StandaloneConfig& config);

// --name value, --name=value, and bare --flag for booleans; --config FILE is read in place,
// so later flags override it. Every problem.
std::vector<std::string> parseArguments(const std::vector<std::string>& args,
                                        StandaloneConfig& config);

std::string usage();

}  // namespace keyhop::fakes
