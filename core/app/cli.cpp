#include "core/app/cli.hpp"

#include "core/app/cli_args.hpp"
#include "core/app/commands.hpp"
#include "core/app/serve.hpp"
#include "core/store/store_error.hpp"
#include "core/vault/key_ring.hpp"
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

  keys init                   create the master key file (mode 0600)
  keys list                   the master keys and how many secrets each one seals
  keys rotate [--batch N]     add a new active key and re-encrypt every stored secret with it
  keys retire ID              remove a key no stored secret uses any more

  accounts create NAME        create an account; prints its secret key, once
  accounts list
  integrations add ACCOUNT PROVIDER --client-id ID --client-secret-file FILE
                   [--name NAME] [--scope SCOPE]... [--return-url URL]...
                              register an OAuth app (FILE '-' reads standard input; a
                              secret is never taken on the command line)
  integrations list ACCOUNT
  connections list ACCOUNT    ACCOUNT is an account's name or id

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

int runServe(Config config, const Args& args, CliContext& context) {
  if (parseArgs(args, "serve", 0, 0, {}, {"strict"}).flag("strict")) config.strict = true;
  return serve(config, context.err);
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
  const std::string command = args[i++];
  const Args rest(args.begin() + static_cast<std::ptrdiff_t>(i), args.end());

  using Command = int (*)(const Config&, const Args&, CliContext&);
  const std::map<std::string, Command> commands = {
      {"serve", [](const Config& c, const Args& a, CliContext& x) { return runServe(c, a, x); }},
      {"providers", runProvidersCommand},
      {"keys", runKeysCommand},
      {"accounts", runAccountsCommand},
      {"integrations", runIntegrationsCommand},
      {"connections", runConnectionsCommand},
  };
  const auto found = commands.find(command);
  if (found == commands.end()) return usageError(context, "unknown command '" + command + "'");

  try {
    const Config config = loadConfig(config_file, context.env, context.install_dir);
    return found->second(config, rest, context);
  } catch (const UsageError& e) {
    return usageError(context, e.what());
  } catch (const ConfigError& e) {
    context.err << "keyhop: configuration error:\n" << e.what() << "\n";
  } catch (const vault::KeyRingError& e) {
    context.err << "keyhop: master keys: " << e.what() << "\n";
  } catch (const store::StoreError& e) {
    context.err << "keyhop: store: " << e.what() << "\n";
  }
  return 1;
}

}  // namespace keyhop::app
