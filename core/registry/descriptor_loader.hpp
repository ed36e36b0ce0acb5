#pragma once

// YAML descriptor -> ProviderSpec, validated strictly. Every problem in a document is reported
// (not just the first), each with file, line and column and what was expected.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "core/registry/load_error.hpp"
#include "keyhop/provider_spec.hpp"

namespace keyhop::registry {

struct DescriptorResult {
  std::optional<ProviderSpec> spec;  // set only when errors is empty
  LoadErrors errors;

  explicit operator bool() const { return spec.has_value(); }
};

// `source` names the document in errors (a path, or "plugin.so[0]"). When `expected_id` is
// set, the descriptor's id must equal it (a file's id equals its file name).
DescriptorResult parseDescriptor(std::string_view yaml, const std::string& source,
                                 const std::optional<std::string>& expected_id = std::nullopt);

// Reads and parses one providers.d file; its id must equal the file name without ".yaml".
DescriptorResult loadDescriptorFile(const std::filesystem::path& path);

}  // namespace keyhop::registry
