#pragma once

#include <ostream>

#include "core/app/config.hpp"

namespace keyhop::app {

// `keyhop serve`: loads the catalog, starts the HTTP server and runs until SIGINT or SIGTERM,
// then stops gracefully. Returns the process exit code.
int serve(const Config& config, std::ostream& err);

}  // namespace keyhop::app
