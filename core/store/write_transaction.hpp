#pragma once

// Internal to the store. A write transaction on one leased connection: begun the dialect's way,
// rolled back unless committed.

#include <Poco/Data/Session.h>

#include "core/store/dialect.hpp"

namespace keyhop::store {

class WriteTransaction final {
 public:
  // `session` is leased by the caller for longer than this transaction lives.
  WriteTransaction(Poco::Data::Session& session, const Dialect& dialect);
  ~WriteTransaction();
  WriteTransaction(const WriteTransaction&) = delete;
  WriteTransaction& operator=(const WriteTransaction&) = delete;

  void commit();

 private:
  Poco::Data::Session& session_;
  bool finished_ = false;
};

}  // namespace keyhop::store
