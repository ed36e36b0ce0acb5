#include "core/registry/registry.hpp"

#include <algorithm>
#include <system_error>
#include <utility>

#include "core/registry/declining_provider.hpp"
#include "core/registry/descriptor_loader.hpp"
#include "core/registry/plugin_loader.hpp"

namespace keyhop::registry {

namespace {

namespace fs = std::filesystem;

// The regular files in `dir` ending in `extension`, sorted so the load order (and with it,
// which of two duplicates wins) does not depend on the file system. A directory that cannot be
// listed is an error naming it.
std::vector<fs::path> filesIn(const fs::path& dir, const std::string& extension,
                              const std::string& what, LoadErrors& errors) {
  std::vector<fs::path> files;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    errors.push_back({dir.string(), 0, 0, what + " directory not found"});
    return files;
  }
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    if (it->path().extension() == extension && it->is_regular_file(type_ec)) {
      files.push_back(it->path());
    }
  }
  if (ec) {
    errors.push_back({dir.string(), 0, 0, "cannot list " + what + " directory: " + ec.message()});
  }
  std::sort(files.begin(), files.end());
  return files;
}

void append(LoadErrors& to, const LoadErrors& from) {
  to.insert(to.end(), from.begin(), from.end());
}

}  // namespace

Registry Registry::load(const RegistrySources& sources, LoadErrors& errors) {
  Registry registry;
  for (const auto& dir : sources.descriptor_dirs) {
    for (const auto& file : filesIn(dir, ".yaml", "descriptor", errors)) {
      DescriptorResult result = loadDescriptorFile(file);
      append(errors, result.errors);
      if (result) {
        registry.add({nullptr, std::move(*result.spec), decliningProvider(), file.string()},
                     errors);
      }
    }
  }
  for (const auto& dir : sources.plugin_dirs) {
    for (const auto& file : filesIn(dir, ".so", "plugin", errors)) {
      PluginLoadResult result = loadPlugin(file);
      append(errors, result.errors);
      for (auto& entry : result.providers) registry.add(std::move(entry), errors);
    }
  }
  return registry;
}

bool Registry::add(ProviderEntry entry, LoadErrors& errors) {
  const auto existing = providers_.find(entry.spec.id);
  if (existing != providers_.end()) {
    errors.push_back({entry.source, 0, 0,
                      "provider id '" + entry.spec.id + "' is already defined by " +
                          existing->second->source + "; this definition is ignored"});
    return false;
  }
  if (!entry.hooks) entry.hooks = decliningProvider();
  std::string id = entry.spec.id;
  providers_.emplace(std::move(id), std::make_shared<const ProviderEntry>(std::move(entry)));
  return true;
}

const ProviderEntry* Registry::find(const std::string& id) const {
  const auto it = providers_.find(id);
  return it == providers_.end() ? nullptr : it->second.get();
}

std::vector<const ProviderEntry*> Registry::all() const {
  std::vector<const ProviderEntry*> entries;
  entries.reserve(providers_.size());
  for (const auto& [id, entry] : providers_) entries.push_back(entry.get());
  return entries;
}

}  // namespace keyhop::registry
