// A complete keyhop plugin: one provider, its fields in descriptor YAML, and one hook for the
// quirk no descriptor field covers. This API answers HTTP 200 with {"error": "expired_token"}
// when the token is dead, so the core must be told that such a 200 is an auth failure.

#include <string>
#include <string_view>

#include "keyhop/sdk.hpp"

namespace external_demo {

constexpr std::string_view kDescriptor = R"yaml(
id: external-demo
name: External Demo
docs: https://demo.example.com/docs/oauth
auth: oauth2
authorize_url: https://demo.example.com/oauth/authorize
token_url: https://demo.example.com/oauth/token
scopes: {default: [read]}
api:
  base_url: https://api.demo.example.com
)yaml";

class DemoProvider final : public keyhop::Provider {
 public:
  keyhop::HookStatus recognizeAuthFailure(const keyhop::ProviderSpec& /*spec*/,
                                          const keyhop::ResponseView& response,
                                          bool& rejected) noexcept override {
    if (response.status != 200) return keyhop::HookStatus::Declined;  // the generic rule
    rejected = response.body.find(R"("error": "expired_token")") != std::string_view::npos;
    return keyhop::HookStatus::Done;
  }
};

keyhop::PluginInfo makePlugin() {
  keyhop::PluginInfo info;
  info.name = "external-demo";
  info.version = "1.0.0";
  info.providers.push_back({std::string(kDescriptor), std::make_shared<DemoProvider>()});
  return info;
}

}  // namespace external_demo

KEYHOP_PLUGIN(external_demo::makePlugin)
