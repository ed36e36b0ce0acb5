#pragma once

// The catalog of providers: the union of descriptor files and plugins. Loading collects every
// problem and keeps every provider that is valid; one broken file never hides the others.

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/registry/load_error.hpp"
#include "keyhop/provider.hpp"
#include "keyhop/provider_spec.hpp"

namespace keyhop::registry {

class PluginLibrary;  // a loaded shared library; see plugin_loader.hpp

struct ProviderEntry {
  // Declared first so it is destroyed last: `hooks` may run code that lives in the library.
  std::shared_ptr<PluginLibrary> library;  // null for providers from descriptor files
  ProviderSpec spec;
  std::shared_ptr<Provider> hooks;  // never null: descriptor providers get one that declines all
  std::string source;               // the descriptor file or plugin file it came from
};

struct RegistrySources {
  std::vector<std::filesystem::path> descriptor_dirs;  // every *.yaml in each
  std::vector<std::filesystem::path> plugin_dirs;      // every *.so in each
};

class Registry final {
 public:
  // Loads everything it can; every problem found is appended to `errors`.
  static Registry load(const RegistrySources& sources, LoadErrors& errors);

  // Adds one provider; returns false and appends an error if its id is taken.
  bool add(ProviderEntry entry, LoadErrors& errors);

  const ProviderEntry* find(const std::string& id) const;
  std::vector<const ProviderEntry*> all() const;  // sorted by id
  std::size_t size() const { return providers_.size(); }

 private:
  std::map<std::string, std::shared_ptr<const ProviderEntry>> providers_;
};

}  // namespace keyhop::registry
