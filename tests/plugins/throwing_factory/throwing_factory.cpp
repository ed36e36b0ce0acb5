// A factory that throws: the SDK's entry wrapper must turn it into an error, not a crash.

#include <stdexcept>

#include "keyhop/sdk.hpp"

namespace {

keyhop::PluginInfo makePlugin() { throw std::runtime_error("cannot reach the licence server"); }

}  // namespace

KEYHOP_PLUGIN(makePlugin)
