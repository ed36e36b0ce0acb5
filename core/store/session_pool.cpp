#include "core/store/session_pool.hpp"

#include <utility>

namespace keyhop::store {

SessionPool::SessionPool(StoreLocation location, const Dialect& dialect, std::size_t capacity)
    : location_(std::move(location)), dialect_(dialect), capacity_(capacity) {}

SessionPool::Lease::Lease(SessionPool& pool, std::unique_ptr<Pooled> pooled)
    : pool_(pool), pooled_(std::move(pooled)) {}

SessionPool::Lease::~Lease() { pool_.giveBack(std::move(pooled_), discard_); }

SessionPool::Lease SessionPool::acquire() {
  {
    std::unique_lock<std::mutex> lock(mutex_);
    available_.wait(lock, [this] { return !idle_.empty() || open_ < capacity_; });
    if (!idle_.empty()) {
      auto pooled = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(pooled));
    }
    ++open_;  // reserve the slot, then connect without holding the lock
  }
  try {
    auto pooled = std::make_unique<Pooled>();
    pooled->session =
        std::make_unique<Poco::Data::Session>(location_.connector, location_.connection_string);
    dialect_.prepareSession(*pooled->session);
    return Lease(*this, std::move(pooled));
  } catch (...) {
    std::lock_guard<std::mutex> lock(mutex_);
    --open_;
    available_.notify_one();
    throw;
  }
}

void SessionPool::giveBack(std::unique_ptr<Pooled> pooled, bool discard) {
  if (discard) {
    try {
      pooled->prepared.clear();
      pooled->session->close();
    } catch (...) {
      // Closing a broken connection may fail; it is gone either way.
    }
    pooled.reset();
  }
  std::lock_guard<std::mutex> lock(mutex_);
  if (pooled) {
    idle_.push_back(std::move(pooled));
  } else {
    --open_;
  }
  available_.notify_one();
}

}  // namespace keyhop::store
