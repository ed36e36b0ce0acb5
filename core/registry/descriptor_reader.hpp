#pragma once

// A parsed descriptor document -> ProviderSpec: every key's type, the keys each auth mode takes,
// URLs and placeholders. YAML parsing itself is descriptor_loader's job.

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>

#include "core/registry/yaml_reader.hpp"
#include "keyhop/provider_spec.hpp"

namespace keyhop::registry {

// Reads `root`, a mapping, adding every problem to `problems`. The spec is complete, defaults
// applied, when no problem was added; otherwise it is partial and must not be used.
ProviderSpec readDescriptor(const YAML::Node& root, const std::optional<std::string>& expected_id,
                            yaml::Problems& problems);

}  // namespace keyhop::registry
