#include "core/registry/declining_provider.hpp"

namespace keyhop::registry {

namespace {

class DecliningProvider final : public Provider {};

}  // namespace

std::shared_ptr<Provider> decliningProvider() {
  static const auto instance = std::make_shared<DecliningProvider>();
  return instance;
}

}  // namespace keyhop::registry
