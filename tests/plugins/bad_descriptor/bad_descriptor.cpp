// Provider 1's descriptor is invalid (an unknown key, a missing token_url); provider 2 is fine
// and must load anyway.

#include "keyhop/sdk.hpp"

namespace {

keyhop::PluginInfo makePlugin() {
  keyhop::PluginInfo info{"bad-descriptor", "1.0.0", {}};
  info.providers.push_back({R"yaml(id: test-broken
name: Test Broken
docs: https://broken.example.com/docs
auth: oauth2
authorize_url: https://broken.example.com/authorize
tokn_url: https://broken.example.com/token
api:
  base_url: https://broken.example.com/api
)yaml",
                            nullptr});
  info.providers.push_back({R"yaml(
id: test-delta
name: Test Delta
docs: https://delta.example.com/docs
auth: oauth2
authorize_url: https://delta.example.com/authorize
token_url: https://delta.example.com/token
api:
  base_url: https://delta.example.com/api
)yaml",
                            nullptr});
  return info;
}

}  // namespace

KEYHOP_PLUGIN(makePlugin)
