#include "core/app/account_lookup.hpp"

namespace keyhop::app {

std::optional<store::Account> findAccount(store::Store& store, const std::string& id_or_name) {
  if (auto account = store.findAccountById(id_or_name)) return account;
  return store.findAccountByName(id_or_name);
}

}  // namespace keyhop::app
