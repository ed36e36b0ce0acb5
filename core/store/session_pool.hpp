#pragma once

// Internal to the store. Database connections shared by the threads that use one Store: each
// thread leases a connection for one operation, so a connection is never used by two threads
// at once. Connections open lazily, up to a fixed number; a thread waits when all are leased.

#include <Poco/Data/Session.h>

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <typeindex>
#include <unordered_map>
#include <vector>

#include "core/store/dialect.hpp"
#include "core/store/store_url.hpp"

namespace keyhop::store {

class SessionPool final {
  // One connection and the statements kept prepared on it (Lease::prepared), which go first:
  // a statement refers to its session.
  struct Pooled {
    std::unique_ptr<Poco::Data::Session> session;
    std::unordered_map<std::type_index, std::shared_ptr<void>> prepared;
  };

 public:
  // `dialect` is owned by the caller (the store) and outlives the pool.
  SessionPool(StoreLocation location, const Dialect& dialect, std::size_t capacity);

  class Lease final {
   public:
    Lease(SessionPool& pool, std::unique_ptr<Pooled> pooled);
    ~Lease();
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;

    Poco::Data::Session& session() { return *pooled_->session; }
    // The connection may be broken or mid-transaction: close it instead of handing it back.
    void discard() { discard_ = true; }

    // This connection's `Query`, made as `Query(session())` on first use and kept with the
    // connection: a Query holds a Poco::Data::Statement and the variables it binds and
    // extracts, and re-executing it spares PostgreSQL the prepare, describe and deallocate
    // round trips of a one-off statement. (Poco re-prepares on SQLite at every execution.)
    template <typename Query>
    Query& prepared() {
      auto& slot = pooled_->prepared[std::type_index(typeid(Query))];
      if (!slot) slot = std::make_shared<Query>(session());
      return *static_cast<Query*>(slot.get());
    }

   private:
    SessionPool& pool_;
    std::unique_ptr<Pooled> pooled_;
    bool discard_ = false;
  };

  // Throws Poco exceptions when a new connection cannot be opened or set up.
  Lease acquire();

  const StoreLocation& location() const { return location_; }

 private:
  void giveBack(std::unique_ptr<Pooled> pooled, bool discard);

  const StoreLocation location_;
  const Dialect& dialect_;
  const std::size_t capacity_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Pooled>> idle_;
  std::size_t open_ = 0;  // idle + leased
};

}  // namespace keyhop::store
