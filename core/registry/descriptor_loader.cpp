#include "core/registry/descriptor_loader.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "core/registry/descriptor_reader.hpp"
#include "core/registry/yaml_reader.hpp"

namespace keyhop::registry {

namespace {

// The one document of a descriptor, or nothing after reporting why there is none.
std::optional<YAML::Node> loadDocument(std::string_view text, yaml::Problems& problems) {
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    problems.add(e.mark, "YAML syntax error: " + e.msg);
    return std::nullopt;
  }
  if (documents.empty() || (documents.size() == 1 && documents.front().IsNull())) {
    problems.addWithoutPosition(
        "the descriptor is empty (expected a mapping with at least id, name, auth and api)");
    return std::nullopt;
  }
  if (documents.size() > 1) {
    problems.add(documents[1].Mark(), "a descriptor file holds one YAML document (found " +
                                          std::to_string(documents.size()) + ")");
    return std::nullopt;
  }
  const YAML::Node& root = documents.front();
  if (!root.IsMap()) {
    problems.add(root.Mark(),
                 "a descriptor must be a mapping of keys such as id, name, auth and api (got a " +
                     std::string(root.IsSequence() ? "sequence" : "scalar") + ")");
    return std::nullopt;
  }
  return root;
}

}  // namespace

DescriptorResult parseDescriptor(std::string_view yaml, const std::string& source,
                                 const std::optional<std::string>& expected_id) {
  yaml::Problems problems(source);
  DescriptorResult result;
  if (auto root = loadDocument(yaml, problems)) {
    ProviderSpec spec = readDescriptor(*root, expected_id, problems);
    if (problems.empty()) result.spec = std::move(spec);
  }
  result.errors = problems.take();
  // Placeholders are checked after the whole document is read; report in reading order.
  std::stable_sort(result.errors.begin(), result.errors.end(),
                   [](const LoadError& a, const LoadError& b) {
                     return std::make_pair(a.line, a.column) < std::make_pair(b.line, b.column);
                   });
  return result;
}

DescriptorResult loadDescriptorFile(const std::filesystem::path& path) {
  const std::string source = path.string();
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    const std::string why =
        std::filesystem::exists(path, error) ? "not a regular file" : "no such file";
    return DescriptorResult{std::nullopt, {LoadError{source, 0, 0, "cannot read: " + why}}};
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (in) text << in.rdbuf();
  if (!in) {
    return DescriptorResult{
        std::nullopt,
        {LoadError{source, 0, 0, std::string("cannot read: ") + std::strerror(errno)}}};
  }
  return parseDescriptor(text.str(), source, path.stem().string());
}

}  // namespace keyhop::registry
