#include "core/store/session_pool.hpp"

#include <utility>

namespace keyhop::store {

SessionPool::SessionPool(StoreLocation location, const Dialect& dialect, std::size_t capacity)
    : location_(std::move(location)), dialect_(dialect), capacity_(capacity) {}

SessionPool::Lease::Lease(SessionPool& pool, std::unique_ptr<Poco::Data::Session> session)
    : pool_(pool), session_(std::move(session)) {}

SessionPool::Lease::~Lease() { pool_.giveBack(std::move(session_), discard_); }

SessionPool::Lease SessionPool::acquire() {
  {
    std::unique_lock<std::mutex> lock(mutex_);
    available_.wait(lock, [this] { return !idle_.empty() || open_ < capacity_; });
    if (!idle_.empty()) {
      auto session = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(session));
    }
    ++open_;  // reserve the slot, then connect without holding the lock
  }
  try {
    auto session =
        std::make_unique<Poco::Data::Session>(location_.connector, location_.connection_string);
    dialect_.prepareSession(*session);
    return Lease(*this, std::move(session));
  } catch (...) {
    std::lock_guard<std::mutex> lock(mutex_);
    --open_;
    available_.notify_one();
    throw;
  }
}

void SessionPool::giveBack(std::unique_ptr<Poco::Data::Session> session, bool discard) {
  if (discard) {
    try {
      session->close();
    } catch (...) {
      // Closing a broken connection may fail; it is gone either way.
    }
    session.reset();
  }
  std::lock_guard<std::mutex> lock(mutex_);
  if (session) {
    idle_.push_back(std::move(session));
  } else {
    --open_;
  }
  available_.notify_one();
}

}  // namespace keyhop::store
