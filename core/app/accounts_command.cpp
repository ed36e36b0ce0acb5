#include <iomanip>

#include "core/app/cli_args.hpp"
#include "core/app/commands.hpp"
#include "core/app/store_access.hpp"

namespace keyhop::app {
namespace {

int createAccount(const Config& config, const Args& args, CliContext& context) {
  const auto parsed = parseArgs(args, "accounts create", 1, 1);
  auto opened = openConfiguredStore(config);
  const auto created = opened.store->createAccount(parsed.positional[0]);
  if (!created) {
    context.err << "keyhop: an account named '" << parsed.positional[0] << "' exists already\n";
    return 1;
  }
  const auto& account = created.value->account;
  context.out << "account " << account.id << " (" << account.name << ")\n"
              << "  public key: " << account.public_key << "\n"
              << "  secret key: " << created.value->secret_key << "\n"
              << "the secret key is shown this once; keyhop keeps only its hash\n";
  return 0;
}

int listAccounts(const Config& config, const Args& args, CliContext& context) {
  parseArgs(args, "accounts list", 0, 0);
  auto opened = openConfiguredStore(config);
  context.out << std::left << std::setw(32) << "ID" << std::setw(24) << "NAME" << "PUBLIC KEY\n";
  for (const auto& account : opened.store->listAccounts()) {
    context.out << std::setw(32) << account.id << std::setw(24) << account.name
                << account.public_key << "\n";
  }
  return 0;
}

}  // namespace

int runAccountsCommand(const Config& config, const Args& args, CliContext& context) {
  if (args.empty()) throw UsageError("accounts needs create or list");
  const Args rest(args.begin() + 1, args.end());
  if (args[0] == "create") return createAccount(config, rest, context);
  if (args[0] == "list") return listAccounts(config, rest, context);
  throw UsageError("unknown accounts command '" + args[0] + "'");
}

}  // namespace keyhop::app
