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
#include <vector>

#include "core/store/dialect.hpp"
#include "core/store/store_url.hpp"

namespace keyhop::store {

class SessionPool final {
 public:
  // `dialect` is owned by the caller (the store) and outlives the pool.
  SessionPool(StoreLocation location, const Dialect& dialect, std::size_t capacity);

  class Lease final {
   public:
    Lease(SessionPool& pool, std::unique_ptr<Poco::Data::Session> session);
    ~Lease();
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;

    Poco::Data::Session& session() { return *session_; }
    // The connection may be broken or mid-transaction: close it instead of handing it back.
    void discard() { discard_ = true; }

   private:
    SessionPool& pool_;
    std::unique_ptr<Poco::Data::Session> session_;
    bool discard_ = false;
  };

  // Throws Poco exceptions when a new connection cannot be opened or set up.
  Lease acquire();

  const StoreLocation& location() const { return location_; }

 private:
  void giveBack(std::unique_ptr<Poco::Data::Session> session, bool discard);

  const StoreLocation location_;
  const Dialect& dialect_;
  const std::size_t capacity_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Poco::Data::Session>> idle_;
  std::size_t open_ = 0;  // idle + leased
};

}  // namespace keyhop::store
