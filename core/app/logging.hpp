#pragma once

#include <string>

namespace keyhop::app {

// Sends every Poco logger's output to stderr, one line per message with time, level and source,
// at `level` (a Poco level name, checked by the config).
void configureLogging(const std::string& level);

}  // namespace keyhop::app
