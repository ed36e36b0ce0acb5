#pragma once

// Loads one plugin shared library into registry entries. No plugin code runs before the file's
// "keyhop" section has been read and its ABI version accepted; every failure becomes a
// LoadError naming the file, never an exception.

#include <filesystem>
#include <string>
#include <vector>

#include <boost/dll/shared_library.hpp>

#include "core/registry/load_error.hpp"
#include "core/registry/registry.hpp"
#include "keyhop/plugin.hpp"

namespace keyhop::registry {

// A loaded plugin. Every ProviderEntry made from it holds a shared_ptr to it, declared before
// the entry's hooks, so the code behind the hooks stays mapped until the last hook is gone.
class PluginLibrary final {
 public:
  PluginLibrary(boost::dll::shared_library library, std::filesystem::path path, AbiVersion abi,
                std::string name, std::string version);

  const std::filesystem::path& path() const { return path_; }
  // The ABI the plugin was built for: a hook appended in a later minor version must not be
  // called on a plugin built for an earlier one (its vtable has no slot for it).
  AbiVersion abi() const { return abi_; }
  const std::string& name() const { return name_; }
  const std::string& version() const { return version_; }

 private:
  boost::dll::shared_library library_;
  std::filesystem::path path_;
  AbiVersion abi_;
  std::string name_;
  std::string version_;
};

struct PluginLoadResult {
  std::vector<ProviderEntry> providers;  // every valid provider the plugin defines
  LoadErrors errors;                     // empty when the whole plugin loaded
};

PluginLoadResult loadPlugin(const std::filesystem::path& path);

}  // namespace keyhop::registry
