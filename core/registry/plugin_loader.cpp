#include "core/registry/plugin_loader.hpp"

#include <algorithm>
#include <exception>
#include <ios>
#include <optional>
#include <stdexcept>
#include <utility>

#include <boost/dll/import.hpp>
#include <boost/dll/library_info.hpp>
#include <boost/system/system_error.hpp>

#include "core/registry/declining_provider.hpp"
#include "core/registry/descriptor_loader.hpp"

namespace keyhop::registry {

namespace {

// The entry is declared noexcept, but a hand-written plugin may break that promise; calling it
// through a type without noexcept keeps the loader's catch blocks alive.
using CallableEntry = bool(PluginInfo& info, std::string& error);

constexpr const char* kNotAPlugin = "not a keyhop plugin: no " KEYHOP_ABI_SYMBOL " symbol";

// Boost.DLL wraps dlerror()'s text in its own sentence and appends the errno text of whatever
// call failed last, which says nothing about the plugin. Keep dlerror's words, without the file
// name that the LoadError already carries.
std::string dlErrorText(const boost::system::system_error& e, const std::string& file) {
  const std::string text = e.what();
  const std::string marker = "(dlerror system message: ";
  const auto begin = text.find(marker);
  const auto end = text.rfind(')');
  if (begin == std::string::npos || end == std::string::npos || end < begin) {
    return e.code().message();
  }
  std::string message = text.substr(begin + marker.size(), end - begin - marker.size());
  const std::string file_prefix = file + ": ";
  if (message.compare(0, file_prefix.size(), file_prefix) == 0) {
    message.erase(0, file_prefix.size());
  }
  return message;
}

// Reads the file without loading it. Returns an error message, or nothing when the file is a
// shared library whose "keyhop" section exports the ABI version. A stripped file (packagers
// strip shared libraries) has no symbol table to list; its "keyhop" section is taken as the
// promise, and the loader checks the exported symbol once the file is loaded.
std::optional<std::string> checkSections(const std::filesystem::path& path) {
  std::vector<std::string> sections;
  std::vector<std::string> all_symbols;
  std::vector<std::string> keyhop_symbols;
  try {
    boost::dll::library_info info(path.string());
    sections = info.sections();
    all_symbols = info.symbols();
    keyhop_symbols = info.symbols(KEYHOP_PLUGIN_SECTION);
  } catch (const std::ios_base::failure&) {
    return "not a shared library (the file is truncated or unreadable)";
  } catch (const std::runtime_error& e) {
    return std::string("not a shared library (") + e.what() + ")";
  } catch (const std::exception&) {
    return "not a shared library (its headers are corrupt)";
  }
  const auto contains = [](const std::vector<std::string>& list, const char* item) {
    return std::find(list.begin(), list.end(), item) != list.end();
  };
  const bool stripped = all_symbols.empty() && contains(sections, KEYHOP_PLUGIN_SECTION);
  if (!stripped && !contains(keyhop_symbols, KEYHOP_ABI_SYMBOL)) {
    return std::string(kNotAPlugin);
  }
  return std::nullopt;
}

std::string versionText(AbiVersion abi) {
  return std::to_string(abi.major) + "." + std::to_string(abi.minor);
}

}  // namespace

PluginLibrary::PluginLibrary(boost::dll::shared_library library, std::filesystem::path path,
                             AbiVersion abi, std::string name, std::string version)
    : library_(std::move(library)),
      path_(std::move(path)),
      abi_(abi),
      name_(std::move(name)),
      version_(std::move(version)) {}

PluginLoadResult loadPlugin(const std::filesystem::path& path) {
  const std::string file = path.string();
  PluginLoadResult result;
  auto fail = [&](std::string message) {
    result.errors.push_back({file, 0, 0, std::move(message)});
    return std::move(result);
  };

  if (auto problem = checkSections(path)) return fail(std::move(*problem));

  // Declared before everything the plugin's code creates, so it is unloaded after all of it.
  boost::dll::shared_library library;
  try {
    // RTLD_NOW: an unresolved symbol fails here, not in the middle of a hook call.
    library.load(path.string(),
                 boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const boost::system::system_error& e) {
    return fail("cannot load: " + dlErrorText(e, file));
  }

  if (!library.has(KEYHOP_ABI_SYMBOL)) return fail(kNotAPlugin);
  const AbiVersion abi = *boost::dll::import_alias<const AbiVersion>(library, KEYHOP_ABI_SYMBOL);
  if (abi.major != kAbiVersion.major) {
    return fail("built for plugin ABI " + versionText(abi) + ", this keyhop supports " +
                std::to_string(kAbiVersion.major) + ".x");
  }
  if (!library.has(KEYHOP_ENTRY_SYMBOL)) return fail("missing symbol " KEYHOP_ENTRY_SYMBOL);
  auto entry = boost::dll::import_alias<CallableEntry>(library, KEYHOP_ENTRY_SYMBOL);

  std::shared_ptr<PluginLibrary> loaded;  // declared before `info`, so it outlives it
  PluginInfo info;
  std::string error;
  bool built = false;
  try {
    built = entry(info, error);
  } catch (const std::exception& e) {
    error = e.what();
  } catch (...) {
    error = "unknown exception";
  }
  if (!built) {
    return fail("plugin factory failed: " + (error.empty() ? "no reason given" : error));
  }
  if (info.providers.empty()) return fail("the plugin defines no providers");

  loaded = std::make_shared<PluginLibrary>(std::move(library), path, abi, std::move(info.name),
                                           std::move(info.version));
  for (std::size_t i = 0; i < info.providers.size(); ++i) {
    ProviderDefinition& definition = info.providers[i];
    const std::string source = file + " (provider " + std::to_string(i + 1) + ")";
    DescriptorResult parsed = parseDescriptor(definition.descriptor_yaml, source);
    if (!parsed) {
      result.errors.insert(result.errors.end(), parsed.errors.begin(), parsed.errors.end());
      continue;
    }
    auto hooks = definition.hooks ? std::move(definition.hooks) : decliningProvider();
    result.providers.push_back({loaded, std::move(*parsed.spec), std::move(hooks), file});
  }
  return result;
}

}  // namespace keyhop::registry
