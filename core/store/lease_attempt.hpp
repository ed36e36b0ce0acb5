#pragma once

// What Store::acquireRefreshLease answers (docs/credentials.md "One refresh across instances").

#include <chrono>
#include <string>

namespace keyhop::store {

enum class LeaseOutcome {
  Acquired,         // the caller holds the lease
  Held,             // another caller holds it and it has not expired; the version is unchanged
  VersionMismatch,  // the connection changed since the caller read it: read it again
  NotFound,         // the connection is gone
};

struct LeaseAttempt {
  LeaseOutcome outcome = LeaseOutcome::NotFound;
  // Acquired: the token that releases the lease and fences markNeedsReauth.
  std::string owner;
  // Acquired: the lease's duration. Held: how long until the current lease expires (zero when
  // it was released meanwhile), on the database's clock.
  std::chrono::milliseconds remaining{0};

  explicit operator bool() const { return outcome == LeaseOutcome::Acquired; }
};

}  // namespace keyhop::store
