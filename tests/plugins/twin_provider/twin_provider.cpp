// Defines test-alpha again (good_pair.so, loaded first, keeps it) next to a provider of its own.

#include "keyhop/sdk.hpp"

namespace {

keyhop::PluginInfo makePlugin() {
  keyhop::PluginInfo info{"twin-provider", "1.0.0", {}};
  info.providers.push_back({R"yaml(
id: test-alpha
name: Test Alpha, again
docs: https://twin.example.com/docs
auth: oauth2
authorize_url: https://twin.example.com/authorize
token_url: https://twin.example.com/token
api:
  base_url: https://twin.example.com/api
)yaml",
                            nullptr});
  info.providers.push_back({R"yaml(
id: test-gamma
name: Test Gamma
docs: https://gamma.example.com/docs
auth: oauth2
authorize_url: https://gamma.example.com/authorize
token_url: https://gamma.example.com/token
api:
  base_url: https://gamma.example.com/api
)yaml",
                            nullptr});
  return info;
}

}  // namespace

KEYHOP_PLUGIN(makePlugin)
