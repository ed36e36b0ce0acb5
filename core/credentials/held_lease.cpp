#include "core/credentials/held_lease.hpp"

#include <Poco/Logger.h>

#include <utility>

namespace keyhop::credentials {

HeldLease::HeldLease(store::Store& store, std::string connection_id, std::string owner)
    : store_(store), connection_id_(std::move(connection_id)), owner_(std::move(owner)) {}

HeldLease::~HeldLease() {
  try {
    if (!store_.releaseRefreshLease(connection_id_, owner_)) {
      Poco::Logger::get("keyhop.credentials")
          .warning("the refresh lease on connection " + connection_id_ +
                   " was no longer held: it expired and another instance took it over, or the "
                   "connection is gone");
    }
  } catch (const std::exception& error) {
    Poco::Logger::get("keyhop.credentials")
        .error("could not release the refresh lease on connection " + connection_id_ +
               " (it expires by itself): " + error.what());
  }
}

}  // namespace keyhop::credentials
