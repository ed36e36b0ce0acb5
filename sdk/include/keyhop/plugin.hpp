#pragma once

// What a plugin exports. A plugin is one shared library that defines one or more providers:
// each as descriptor YAML (validated by the core exactly like a file in providers.d/) plus an
// optional Provider object that overrides the hooks its quirk needs.
//
//   keyhop::PluginInfo makePlugin() { ... }
//   KEYHOP_PLUGIN(makePlugin)
//
// The macro exports two symbols in the ELF section "keyhop", laid out as Boost.DLL aliases
// (BOOST_DLL_ALIAS_SECTIONED) so the core can list them with boost::dll::library_info before
// running plugin code, while the SDK itself stays std-only:
//   keyhop_abi        -> AbiVersion, read first; a different major is refused
//   keyhop_plugin_v1  -> PluginEntry, the factory wrapped so no exception escapes

#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "keyhop/provider.hpp"
#include "keyhop/provider_spec.hpp"

namespace keyhop {

struct AbiVersion {
  std::uint32_t major;
  std::uint32_t minor;
};

// Major changes when a type that crosses the boundary changes; minor when a hook is appended.
inline constexpr AbiVersion kAbiVersion{1, 0};

struct ProviderDefinition {
  std::string descriptor_yaml;
  std::shared_ptr<Provider> hooks;  // null: every hook declines
};

struct PluginInfo {
  std::string name;
  std::string version;
  std::vector<ProviderDefinition> providers;
};

// Returns false and sets `error` when the plugin could not build its PluginInfo.
using PluginEntry = bool(PluginInfo& info, std::string& error) noexcept;

}  // namespace keyhop

#define KEYHOP_PLUGIN_SECTION "keyhop"
#define KEYHOP_ABI_SYMBOL "keyhop_abi"
#define KEYHOP_ENTRY_SYMBOL "keyhop_plugin_v1"

// Exports `target` under the unmangled name `alias` in the "keyhop" section: the layout of
// BOOST_DLL_ALIAS_SECTIONED, which boost::dll::import_alias reads.
#define KEYHOP_EXPORT_ALIAS(target, alias)                                                   \
  extern "C" __attribute__((visibility("default"))) const void* alias;                      \
  __attribute__((section(KEYHOP_PLUGIN_SECTION), weak)) const void* alias =                \
      reinterpret_cast<const void*>(reinterpret_cast<std::intptr_t>(&target));

#define KEYHOP_PLUGIN(factory)                                                               \
  namespace keyhop_plugin_export {                                                           \
  const ::keyhop::AbiVersion abi = ::keyhop::kAbiVersion;                                    \
  bool entry(::keyhop::PluginInfo& info, std::string& error) noexcept {                      \
    try {                                                                                    \
      info = factory();                                                                      \
      return true;                                                                           \
    } catch (const std::exception& e) {                                                      \
      error = e.what();                                                                      \
    } catch (...) {                                                                          \
      error = "unknown exception";                                                           \
    }                                                                                        \
    return false;                                                                            \
  }                                                                                          \
  }                                                                                          \
  KEYHOP_EXPORT_ALIAS(keyhop_plugin_export::abi, keyhop_abi)                                 \
  KEYHOP_EXPORT_ALIAS(keyhop_plugin_export::entry, keyhop_plugin_v1)
