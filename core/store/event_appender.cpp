#include "core/store/event_appender.hpp"

#include <algorithm>

#include "core/store/identifiers.hpp"
#include "core/store/multi_row.hpp"
#include "core/store/sql.hpp"
#include "core/store/unix_time.hpp"

namespace keyhop::store {

using Poco::Data::Keywords::use;

namespace {

constexpr Sql kInsertEvent =
    "INSERT INTO outbox (id, account_id, type, payload, created_at, attempts)"
    " VALUES ($1, $2, $3, $4, $5, 0)";
constexpr const char* kInsertEventsHead =
    "INSERT INTO outbox (id, account_id, type, payload, created_at, attempts) VALUES ";
constexpr Sql kEventRow = "($1, $2, $3, $4, $5, 0)";
constexpr int kEventRowParams = 5;

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

void appendEvents(Poco::Data::Session& session, const Dialect& dialect,
                  std::vector<NewEvent> events) {
  // Ids are made in input order, so the outbox reads the events back in that order.
  std::vector<std::string> ids;
  ids.reserve(events.size());
  for (std::size_t i = 0; i < events.size(); ++i) ids.push_back(newRowId("evt"));
  Poco::Int64 created_at = unixNow();
  for (std::size_t first = 0; first < events.size(); first += kRowsPerInsert) {
    const std::size_t end = std::min(first + kRowsPerInsert, events.size());
    const std::string text =
        kInsertEventsHead +
        repeatedRows(kEventRow, kEventRowParams, end - first, dialect.placeholderSigil());
    Poco::Data::Statement insert(session);
    insert << text;
    for (std::size_t i = first; i < end; ++i) {
      insert, use(ids[i]), use(events[i].account_id), use(events[i].type), use(events[i].payload),
          use(created_at);
    }
    insert.execute();
  }
}

}  // namespace keyhop::store
