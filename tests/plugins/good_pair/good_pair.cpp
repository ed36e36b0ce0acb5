// A well-formed plugin defining two providers: test-alpha overrides one hook, test-beta none.

#include "keyhop/sdk.hpp"

namespace {

class AlphaProvider final : public keyhop::Provider {
 public:
  keyhop::HookStatus stampRequest(const keyhop::ProviderSpec& /*spec*/,
                                  const keyhop::ClientRegistration& /*client*/,
                                  const keyhop::Credentials& credentials,
                                  keyhop::OutgoingRequest& request) noexcept override {
    request.headers.push_back({"X-Alpha-Token", credentials.access_token});
    return keyhop::HookStatus::Done;
  }
};

keyhop::PluginInfo makePlugin() {
  keyhop::PluginInfo info{"good-pair", "2.3.4", {}};
  info.providers.push_back({R"yaml(
id: test-alpha
name: Test Alpha
docs: https://alpha.example.com/docs
auth: oauth2
authorize_url: https://alpha.example.com/authorize
token_url: https://alpha.example.com/token
api:
  base_url: https://alpha.example.com/api
)yaml",
                            std::make_shared<AlphaProvider>()});
  info.providers.push_back({R"yaml(
id: test-beta
name: Test Beta
docs: https://beta.example.com/docs
auth: api_key
api:
  base_url: https://beta.example.com/api
  stamp: {header: X-Api-Key, format: "${api_key}"}
)yaml",
                            nullptr});
  return info;
}

}  // namespace

KEYHOP_PLUGIN(makePlugin)
