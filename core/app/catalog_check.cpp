#include "core/app/catalog_check.hpp"

#include <algorithm>
#include <map>
#include <string>

#include "core/registry/descriptor_loader.hpp"
#include "core/registry/plugin_loader.hpp"

namespace keyhop::app {
namespace {

bool isDescriptor(const std::filesystem::path& path) { return path.extension() == ".yaml"; }
bool isPlugin(const std::filesystem::path& path) { return path.extension() == ".so"; }

// The files a target names: itself, or a directory's descriptors and plugins, sorted.
std::vector<std::filesystem::path> filesOf(const std::filesystem::path& target,
                                           registry::LoadErrors& errors) {
  std::error_code ec;
  if (!std::filesystem::is_directory(target, ec)) {
    if (std::filesystem::exists(target, ec)) return {target};
    errors.push_back({target.string(), 0, 0, "no such file or directory"});
    return {};
  }
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(target, ec)) {
    if (entry.is_regular_file() && (isDescriptor(entry.path()) || isPlugin(entry.path()))) {
      files.push_back(entry.path());
    }
  }
  if (ec) errors.push_back({target.string(), 0, 0, "cannot list directory: " + ec.message()});
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

CheckReport checkCatalog(const std::vector<std::filesystem::path>& targets) {
  CheckReport report;
  std::map<std::string, std::string> sources_by_id;

  auto record = [&](const std::string& id, const std::string& source,
                    registry::LoadErrors& file_errors) {
    auto [it, inserted] = sources_by_id.emplace(id, source);
    if (inserted) {
      ++report.providers;
    } else {
      file_errors.push_back({source, 0, 0, "provider id '" + id + "' is already defined by " +
                                               it->second});
    }
  };

  for (const auto& target : targets) {
    for (const auto& file : filesOf(target, report.errors)) {
      ++report.files_checked;
      registry::LoadErrors file_errors;
      if (isPlugin(file)) {
        auto result = registry::loadPlugin(file);
        file_errors = std::move(result.errors);
        for (const auto& provider : result.providers) {
          record(provider.spec.id, file.string(), file_errors);
        }
      } else {
        auto result = registry::loadDescriptorFile(file);
        file_errors = std::move(result.errors);
        if (result.spec) record(result.spec->id, file.string(), file_errors);
      }
      if (!file_errors.empty()) ++report.files_with_errors;
      report.errors.insert(report.errors.end(), file_errors.begin(), file_errors.end());
    }
  }
  return report;
}

}  // namespace keyhop::app
