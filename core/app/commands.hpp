#pragma once

// One function per top-level command of the CLI; cli.cpp dispatches to them. Each returns the
// exit code and throws UsageError (exit 2) for arguments it cannot take.

#include <string>
#include <vector>

#include "core/app/cli.hpp"
#include "core/app/config.hpp"

namespace keyhop::app {

using Args = std::vector<std::string>;

int runProvidersCommand(const Config& config, const Args& args, CliContext& context);
int runKeysCommand(const Config& config, const Args& args, CliContext& context);
int runAccountsCommand(const Config& config, const Args& args, CliContext& context);
int runIntegrationsCommand(const Config& config, const Args& args, CliContext& context);
int runConnectionsCommand(const Config& config, const Args& args, CliContext& context);

}  // namespace keyhop::app
