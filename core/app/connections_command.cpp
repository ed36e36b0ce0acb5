#include <iomanip>
#include <map>

#include "core/app/account_lookup.hpp"
#include "core/app/cli_args.hpp"
#include "core/app/commands.hpp"
#include "core/app/store_access.hpp"

namespace keyhop::app {
namespace {

int listConnections(const Config& config, const Args& args, CliContext& context) {
  const auto parsed = parseArgs(args, "connections list", 1, 1);
  auto opened = openConfiguredStore(config);
  const auto account = findAccount(*opened.store, parsed.positional[0]);
  if (!account) {
    context.err << "keyhop: no account '" << parsed.positional[0] << "'\n";
    return 1;
  }
  std::map<std::string, std::string> integration_names;
  for (const auto& integration : opened.store->listIntegrations(account->id)) {
    integration_names[integration.id] = integration.name;
  }
  context.out << std::left << std::setw(32) << "ID" << std::setw(20) << "INTEGRATION"
              << std::setw(24) << "USER" << std::setw(14) << "STATUS" << "VERSION\n";
  for (const auto& connection : opened.store->listConnections(account->id)) {
    context.out << std::setw(32) << connection.id << std::setw(20)
                << integration_names[connection.key.integration_id] << std::setw(24)
                << connection.key.user_id << std::setw(14) << store::toString(connection.status)
                << connection.version << "\n";
  }
  return 0;
}

}  // namespace

int runConnectionsCommand(const Config& config, const Args& args, CliContext& context) {
  if (args.empty()) throw UsageError("connections needs list");
  const Args rest(args.begin() + 1, args.end());
  if (args[0] == "list") return listConnections(config, rest, context);
  throw UsageError("unknown connections command '" + args[0] + "'");
}

}  // namespace keyhop::app
