// Calls a function nothing defines: the link of a MODULE allows it, dlopen with RTLD_NOW must
// refuse the file before any of its code runs.

#include "keyhop/sdk.hpp"

extern "C" int keyhopTestFunctionNothingDefines();

namespace {

keyhop::PluginInfo makePlugin() {
  keyhop::PluginInfo info{"unresolved-symbol", std::to_string(keyhopTestFunctionNothingDefines()),
                          {}};
  return info;
}

}  // namespace

KEYHOP_PLUGIN(makePlugin)
