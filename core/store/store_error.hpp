#pragma once

#include <stdexcept>

namespace keyhop::store {

// A database the store cannot work with: it cannot be opened or reached, a migration failed,
// or a stored secret does not decrypt. The message names the database, the migration or the
// row and says why, and never holds a secret. Expected outcomes (a name taken, a version
// mismatch, a token already used) are values, not StoreErrors.
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace keyhop::store
