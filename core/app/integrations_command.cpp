#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "core/app/account_lookup.hpp"
#include "core/app/cli_args.hpp"
#include "core/app/commands.hpp"
#include "core/app/registry_access.hpp"
#include "core/app/store_access.hpp"
#include "core/registry/url_check.hpp"

namespace keyhop::app {
namespace {

// A secret is read from a file (or standard input for '-'), never from the command line, where
// any user of the machine could read it in the process list.
std::optional<std::string> readSecretFile(const std::string& file) {
  std::ostringstream text;
  if (file == "-") {
    text << std::cin.rdbuf();
  } else {
    std::ifstream in(file, std::ios::binary);
    if (!in) return std::nullopt;
    text << in.rdbuf();
  }
  std::string secret = text.str();
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  return secret;
}

bool needsClientRegistration(AuthMode mode) {
  return mode == AuthMode::OAuth2 || mode == AuthMode::OAuth2ClientCredentials ||
         mode == AuthMode::OAuth1;
}

std::string joined(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : " ") + item;
  return text;
}

int addIntegration(const Config& config, const Args& args, CliContext& context) {
  const auto parsed = parseArgs(args, "integrations add", 2, 2,
                                {"client-id", "client-secret-file", "name", "scope", "return-url"});
  const std::string& provider_id = parsed.positional[1];
  const auto providers = loadRegistry(config, context.err);
  const auto* provider = providers.find(provider_id);
  if (!provider) {
    context.err << "keyhop: no provider '" << provider_id << "' (see `keyhop providers list`)\n";
    return 1;
  }

  store::NewIntegration integration;
  integration.provider = provider_id;
  integration.name = parsed.option("name").value_or(provider_id);
  integration.client_id = parsed.option("client-id").value_or("");
  integration.scopes = parsed.options_named("scope");
  if (integration.scopes.empty()) integration.scopes = provider->spec.scopes.defaults;
  integration.allowed_return_urls = parsed.options_named("return-url");
  for (const auto& url : integration.allowed_return_urls) {
    if (auto problem = registry::checkUrl(url, "--return-url")) {
      context.err << "keyhop: " << *problem << "\n";
      return 1;
    }
  }
  if (auto file = parsed.option("client-secret-file")) {
    auto secret = readSecretFile(*file);
    if (!secret) {
      context.err << "keyhop: cannot read the client secret file " << *file << "\n";
      return 1;
    }
    integration.client_secret = std::move(*secret);
  }
  if (needsClientRegistration(provider->spec.auth) &&
      (integration.client_id.empty() || integration.client_secret.empty())) {
    throw UsageError("integrations add: " + provider_id +
                     " needs --client-id and --client-secret-file (a non-empty file)");
  }

  auto opened = openConfiguredStore(config);
  const auto account = findAccount(*opened.store, parsed.positional[0]);
  if (!account) {
    context.err << "keyhop: no account '" << parsed.positional[0] << "'\n";
    return 1;
  }
  integration.account_id = account->id;
  const auto created = opened.store->createIntegration(integration);
  if (!created) {
    context.err << "keyhop: account " << account->name << " has an integration named '"
                << integration.name << "' already (choose another with --name)\n";
    return 1;
  }
  context.out << "integration " << created.value->info.name << " (" << created.value->info.id
              << ") for provider " << provider_id << " in account " << account->name
              << "\n  scopes: " << joined(created.value->info.scopes) << "\n";
  return 0;
}

int listIntegrations(const Config& config, const Args& args, CliContext& context) {
  const auto parsed = parseArgs(args, "integrations list", 1, 1);
  auto opened = openConfiguredStore(config);
  const auto account = findAccount(*opened.store, parsed.positional[0]);
  if (!account) {
    context.err << "keyhop: no account '" << parsed.positional[0] << "'\n";
    return 1;
  }
  context.out << std::left << std::setw(20) << "NAME" << std::setw(16) << "PROVIDER"
              << std::setw(32) << "CLIENT ID" << "SCOPES\n";
  for (const auto& integration : opened.store->listIntegrations(account->id)) {
    context.out << std::setw(20) << integration.name << std::setw(16) << integration.provider
                << std::setw(32) << integration.client_id << joined(integration.scopes) << "\n";
  }
  return 0;
}

}  // namespace

int runIntegrationsCommand(const Config& config, const Args& args, CliContext& context) {
  if (args.empty()) throw UsageError("integrations needs add or list");
  const Args rest(args.begin() + 1, args.end());
  if (args[0] == "add") return addIntegration(config, rest, context);
  if (args[0] == "list") return listIntegrations(config, rest, context);
  throw UsageError("unknown integrations command '" + args[0] + "'");
}

}  // namespace keyhop::app
