#include "core/app/store_access.hpp"

namespace keyhop::app {

vault::KeyRing loadKeyRing(const Config& config) {
  if (!config.master_keys.empty()) {
    return vault::KeyRing::parse(config.master_keys, "KEYHOP_MASTER_KEYS");
  }
  std::error_code ec;
  if (!std::filesystem::exists(config.master_key_file, ec)) {
    throw vault::KeyRingError(config.master_key_file.string() +
                              ": no master key file; create one with `keyhop keys init` or set "
                              "KEYHOP_MASTER_KEYS");
  }
  return vault::KeyRing::load(config.master_key_file);
}

OpenedStore openConfiguredStore(const Config& config) {
  OpenedStore opened;
  opened.vault = std::make_unique<vault::Vault>(loadKeyRing(config));
  opened.store = store::openStore(config.store, *opened.vault);
  return opened;
}

}  // namespace keyhop::app
