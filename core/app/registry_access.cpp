#include "core/app/registry_access.hpp"

namespace keyhop::app {

registry::Registry loadRegistry(const Config& config, std::ostream& warnings) {
  registry::LoadErrors errors;
  auto providers = registry::Registry::load({config.providers_path, config.plugin_path}, errors);
  for (const auto& error : errors) warnings << "warning: " << error.toString() << "\n";
  return providers;
}

}  // namespace keyhop::app
