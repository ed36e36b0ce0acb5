#include <iomanip>

#include "core/app/catalog_check.hpp"
#include "core/app/cli_args.hpp"
#include "core/app/commands.hpp"
#include "core/app/registry_access.hpp"
#include "core/server/provider_json.hpp"

namespace keyhop::app {
namespace {

int listProviders(const Config& config, const Args& args, CliContext& context) {
  const auto parsed = parseArgs(args, "providers list", 0, 0, {}, {"json"});
  const auto providers = loadRegistry(config, context.err);
  if (parsed.flag("json")) {
    context.out << server::providerListJson(providers.all()) << "\n";
    return 0;
  }
  context.out << std::left << std::setw(20) << "ID" << std::setw(24) << "NAME" << std::setw(11)
              << "AUTH" << "SOURCE\n";
  for (const auto* provider : providers.all()) {
    context.out << std::setw(20) << provider->spec.id << std::setw(24) << provider->spec.name
                << std::setw(11) << server::authModeName(provider->spec.auth)
                << provider->source << "\n";
  }
  return 0;
}

int showProvider(const Config& config, const Args& args, CliContext& context) {
  const auto parsed = parseArgs(args, "providers show", 1, 1);
  const std::string& id = parsed.positional[0];
  const auto providers = loadRegistry(config, context.err);
  const auto* provider = providers.find(id);
  if (!provider) {
    context.err << "keyhop: no provider '" << id << "' (see `keyhop providers list`)\n";
    return 1;
  }
  context.out << server::providerDetailJson(*provider) << "\n";
  return 0;
}

int checkProviders(const Config& config, const Args& args, CliContext& context) {
  const auto parsed = parseArgs(args, "providers check", 0, SIZE_MAX);
  std::vector<std::filesystem::path> targets(parsed.positional.begin(), parsed.positional.end());
  if (targets.empty()) {
    targets = config.providers_path;
    targets.insert(targets.end(), config.plugin_path.begin(), config.plugin_path.end());
  }
  const CheckReport report = checkCatalog(targets);
  for (const auto& error : report.errors) context.out << error.toString() << "\n";
  if (!report.errors.empty()) {
    context.out << report.errors.size() << " problem(s) in " << report.files_with_errors
                << " of " << report.files_checked << " file(s)\n";
    return 1;
  }
  context.out << "ok: " << report.providers << " provider(s) in " << report.files_checked
              << " file(s)\n";
  return 0;
}

}  // namespace

int runProvidersCommand(const Config& config, const Args& args, CliContext& context) {
  if (args.empty()) throw UsageError("providers needs list, show or check");
  const Args rest(args.begin() + 1, args.end());
  if (args[0] == "list") return listProviders(config, rest, context);
  if (args[0] == "show") return showProvider(config, rest, context);
  if (args[0] == "check") return checkProviders(config, rest, context);
  throw UsageError("unknown providers command '" + args[0] + "'");
}

}  // namespace keyhop::app
