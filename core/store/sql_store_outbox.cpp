// The event outbox: events are written in the transaction of the change that causes them, and
// a deliverer (webhooks) reads them in order and marks them delivered.

#include <Poco/Tuple.h>

#include <stdexcept>

#include "core/store/event_appender.hpp"
#include "core/store/json_columns.hpp"
#include "core/store/sql.hpp"
#include "core/store/sql_store.hpp"
#include "core/store/unix_time.hpp"

namespace keyhop::store {

using Poco::Data::Keywords::bind;
using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;

namespace {

constexpr Sql kUndelivered =
    "SELECT id, account_id, type, payload, created_at, attempts FROM outbox"
    " WHERE delivered_at IS NULL ORDER BY id LIMIT $1";
constexpr Sql kMarkDelivered =
    "UPDATE outbox SET delivered_at = $1 WHERE id = $2 AND delivered_at IS NULL";
constexpr Sql kRecordFailure =
    "UPDATE outbox SET attempts = attempts + 1 WHERE id = $1 AND delivered_at IS NULL";

}  // namespace

std::string SqlStore::enqueueEvent(const std::string& account_id, const std::string& type,
                                   const std::string& payload_json) {
  if (!isJsonObject(payload_json)) {
    throw std::invalid_argument("an event's payload must be a JSON object");
  }
  return withSession("enqueueing an event", [&](Poco::Data::Session& session) {
    return EventAppender(session).append(account_id, type, payload_json);
  });
}

std::vector<OutboxEvent> SqlStore::undeliveredEvents(std::size_t limit) {
  using Row =
      Poco::Tuple<std::string, std::string, std::string, std::string, Poco::Int64, Poco::Int64>;
  std::vector<Row> rows;
  withSession("reading the outbox", [&](Poco::Data::Session& session) {
    session << kUndelivered.text(), into(rows), bind(Poco::Int64(limit)), now;
  });
  std::vector<OutboxEvent> events;
  for (const Row& row : rows) {
    events.push_back(OutboxEvent{row.get<0>(), row.get<1>(), row.get<2>(), row.get<3>(),
                                 row.get<4>(), row.get<5>()});
  }
  return events;
}

bool SqlStore::markEventDelivered(const std::string& id) {
  return withSession("marking an event delivered", [&](Poco::Data::Session& session) {
    Poco::Data::Statement update(session);
    update << kMarkDelivered.text(), bind(Poco::Int64(unixNow())), bind(id);
    return update.execute() > 0;
  });
}

bool SqlStore::recordFailedDelivery(const std::string& id) {
  return withSession("recording a failed delivery", [&](Poco::Data::Session& session) {
    Poco::Data::Statement update(session);
    update << kRecordFailure.text(), bind(id);
    return update.execute() > 0;
  });
}

}  // namespace keyhop::store
