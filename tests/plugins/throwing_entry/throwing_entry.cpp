// A hand-written entry point that throws, breaking the SDK's noexcept contract (KEYHOP_PLUGIN
// would have caught it): the loader must report it, not terminate.

#include <stdexcept>

#include "keyhop/sdk.hpp"

namespace throwing_entry {

const keyhop::AbiVersion abi = keyhop::kAbiVersion;

bool entry(keyhop::PluginInfo& /*info*/, std::string& /*error*/) {
  throw std::runtime_error("thrown past the entry point");
}

}  // namespace throwing_entry

KEYHOP_EXPORT_ALIAS(throwing_entry::abi, keyhop_abi)
KEYHOP_EXPORT_ALIAS(throwing_entry::entry, keyhop_plugin_v1)
