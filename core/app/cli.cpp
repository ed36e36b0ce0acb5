#include "core/app/cli.hpp"

#include <iomanip>

#include "core/app/catalog_check.hpp"
#include "core/app/serve.hpp"
#include "core/registry/registry.hpp"
#include "core/server/provider_json.hpp"
#include "keyhop/plugin.hpp"

namespace keyhop::app {
namespace {

constexpr const char* kUsage = R"(usage: keyhop [--config FILE] COMMAND [ARGS]

commands:
  serve [--strict]            run the HTTP server; --strict refuses to start when any
                              descriptor or plugin is invalid
  providers list [--json]     list the loaded providers
  providers show ID           one provider's full definition, as JSON
  providers check [PATH...]   validate descriptor files and plugins (files or directories;
                              default: the configured ones); lists every problem, exit 1

options:
  --config FILE   settings file (also KEYHOP_CONFIG); KEYHOP_* variables override it
  --help          this text
  --version       keyhop's version and plugin ABI

exit codes: 0 ok, 1 the command failed, 2 usage error
)";

int usageError(CliContext& context, const std::string& problem) {
  context.err << "keyhop: " << problem << "\n\n" << kUsage;
  return 2;
}

registry::Registry loadRegistry(const Config& config, CliContext& context) {
  registry::LoadErrors errors;
  auto providers =
      registry::Registry::load({config.providers_path, config.plugin_path}, errors);
  for (const auto& error : errors) context.err << "warning: " << error.toString() << "\n";
  return providers;
}

int listProviders(const Config& config, bool json, CliContext& context) {
  const auto providers = loadRegistry(config, context);
  if (json) {
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

int showProvider(const Config& config, const std::string& id, CliContext& context) {
  const auto providers = loadRegistry(config, context);
  const auto* provider = providers.find(id);
  if (!provider) {
    context.err << "keyhop: no provider '" << id << "' (see `keyhop providers list`)\n";
    return 1;
  }
  context.out << server::providerDetailJson(*provider) << "\n";
  return 0;
}

int checkProviders(const Config& config, const std::vector<std::string>& paths,
                   CliContext& context) {
  std::vector<std::filesystem::path> targets(paths.begin(), paths.end());
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

int runCli(const std::vector<std::string>& args, CliContext& context) {
  std::optional<std::filesystem::path> config_file;
  std::size_t i = 0;
  for (; i < args.size() && args[i].rfind("--", 0) == 0; ++i) {
    if (args[i] == "--help") {
      context.out << kUsage;
      return 0;
    }
    if (args[i] == "--version") {
      context.out << "keyhop " << KEYHOP_VERSION << " (plugin ABI " << kAbiVersion.major << "."
                  << kAbiVersion.minor << ")\n";
      return 0;
    }
    if (args[i] == "--config" && i + 1 < args.size()) {
      config_file = args[++i];
      continue;
    }
    return usageError(context, args[i] == "--config" ? "--config needs a FILE"
                                                     : "unknown option '" + args[i] + "'");
  }
  if (i == args.size()) return usageError(context, "no command given");
  const std::string verb = args[i++];
  const std::vector<std::string> rest(args.begin() + static_cast<std::ptrdiff_t>(i), args.end());

  Config config;
  try {
    config = loadConfig(config_file, context.env, context.install_dir);
  } catch (const ConfigError& e) {
    context.err << "keyhop: configuration error:\n" << e.what() << "\n";
    return 1;
  }

  if (verb == "serve") {
    for (const auto& flag : rest) {
      if (flag != "--strict") return usageError(context, "unknown flag for serve: '" + flag + "'");
      config.strict = true;
    }
    return serve(config, context.err);
  }
  if (verb == "providers") {
    if (rest.empty()) return usageError(context, "providers needs list, show or check");
    const std::string& action = rest[0];
    if (action == "list") {
      if (rest.size() == 1) return listProviders(config, false, context);
      if (rest.size() == 2 && rest[1] == "--json") return listProviders(config, true, context);
      return usageError(context, "providers list takes only --json");
    }
    if (action == "show") {
      if (rest.size() != 2 || rest[1].rfind("--", 0) == 0) {
        return usageError(context, "providers show takes one provider ID");
      }
      return showProvider(config, rest[1], context);
    }
    if (action == "check") {
      const std::vector<std::string> paths(rest.begin() + 1, rest.end());
      for (const auto& path : paths) {
        if (path.rfind("--", 0) == 0) {
          return usageError(context, "unknown flag for providers check: '" + path + "'");
        }
      }
      return checkProviders(config, paths, context);
    }
    return usageError(context, "unknown providers command '" + action + "'");
  }
  return usageError(context, "unknown command '" + verb + "'");
}

}  // namespace keyhop::app
