#pragma once

// Opening the vault and the store as the configuration says, for `serve` and the admin
// commands alike.

#include <memory>

#include "core/app/config.hpp"
#include "core/store/store.hpp"
#include "core/vault/vault.hpp"

namespace keyhop::app {

// KEYHOP_MASTER_KEYS when set, else the key file. Throws vault::KeyRingError; for a missing
// key file the message says to run `keyhop keys init`.
vault::KeyRing loadKeyRing(const Config& config);

struct OpenedStore {
  std::unique_ptr<vault::Vault> vault;  // declared first: the store uses it until it is gone
  std::unique_ptr<store::Store> store;
};

// Throws vault::KeyRingError or store::StoreError.
OpenedStore openConfiguredStore(const Config& config);

}  // namespace keyhop::app
