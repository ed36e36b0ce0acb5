#pragma once

#include <optional>
#include <string>

#include "core/store/store.hpp"

namespace keyhop::app {

// An account named on the command line by its id ("acc_...") or its name.
std::optional<store::Account> findAccount(store::Store& store, const std::string& id_or_name);

}  // namespace keyhop::app
