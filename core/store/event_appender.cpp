#include "core/store/event_appender.hpp"

#include "core/store/identifiers.hpp"
#include "core/store/sql.hpp"
#include "core/store/unix_time.hpp"

namespace keyhop::store {

using Poco::Data::Keywords::use;

namespace {

constexpr Sql kInsertEvent =
    "INSERT INTO outbox (id, account_id, type, payload, created_at, attempts)"
    " VALUES ($1, $2, $3, $4, $5, 0)";

}  // namespace

EventAppender::EventAppender(Poco::Data::Session& session) : statement_(session) {
  statement_ << kInsertEvent.text(), use(id_), use(account_id_), use(type_), use(payload_),
      use(created_at_);
}

std::string EventAppender::append(const std::string& account_id, const std::string& type,
                                  const std::string& payload_json) {
  id_ = newRowId("evt");
  account_id_ = account_id;
  type_ = type;
  payload_ = payload_json;
  created_at_ = unixNow();
  statement_.execute();
  return id_;
}

}  // namespace keyhop::store
