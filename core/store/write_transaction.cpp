#include "core/store/write_transaction.hpp"

namespace keyhop::store {

using Poco::Data::Keywords::now;

WriteTransaction::WriteTransaction(Poco::Data::Session& session, const Dialect& dialect)
    : session_(session) {
  session_ << dialect.beginWrite(), now;
}

WriteTransaction::~WriteTransaction() {
  if (finished_) return;
  try {
    session_ << "ROLLBACK", now;
  } catch (...) {
    // The caller discards a connection whose operation threw, so a failed rollback is moot.
  }
}

void WriteTransaction::commit() {
  session_ << "COMMIT", now;
  finished_ = true;
}

}  // namespace keyhop::store
