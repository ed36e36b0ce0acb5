#pragma once

// A connection's refresh lease, held from construction to destruction: the destructor releases
// it on every path out of a refresh (success, failure, exception), so a lease is never left
// held by a live process (docs/credentials.md "One refresh across instances").

#include <string>

#include "core/store/store.hpp"

namespace keyhop::credentials {

class HeldLease final {
 public:
  // `store` is owned by the engine, which outlives every refresh. `owner` is the token
  // Store::acquireRefreshLease gave.
  HeldLease(store::Store& store, std::string connection_id, std::string owner);
  // Releases the lease if this owner still holds it. A store that cannot be reached is logged,
  // not thrown: the lease then expires by itself.
  ~HeldLease();
  HeldLease(const HeldLease&) = delete;
  HeldLease& operator=(const HeldLease&) = delete;

  const std::string& owner() const { return owner_; }

 private:
  store::Store& store_;
  const std::string connection_id_;
  const std::string owner_;
};

}  // namespace keyhop::credentials
