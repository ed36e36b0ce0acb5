// Claims plugin ABI 99.0; the core must refuse it before calling its (otherwise valid) entry.

#include "keyhop/sdk.hpp"

namespace abi_mismatch {

const keyhop::AbiVersion abi{99, 0};

bool entry(keyhop::PluginInfo& info, std::string& /*error*/) noexcept {
  info.name = "abi-mismatch";
  info.providers.push_back({R"yaml(
id: test-abi-mismatch
name: Never Loaded
docs: https://never.example.com/docs
auth: oauth2
authorize_url: https://never.example.com/authorize
token_url: https://never.example.com/token
api:
  base_url: https://never.example.com/api
)yaml",
                            nullptr});
  return true;
}

}  // namespace abi_mismatch

KEYHOP_EXPORT_ALIAS(abi_mismatch::abi, keyhop_abi)
KEYHOP_EXPORT_ALIAS(abi_mismatch::entry, keyhop_plugin_v1)
