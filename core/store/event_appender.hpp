#pragma once

// Internal to the store. Appends events to the outbox inside the caller's transaction, through
// one statement that every append re-executes (PostgreSQL prepares it once, not per event), or
// for a batch of changes, many at a time.

#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>

#include <string>
#include <vector>

#include "core/store/dialect.hpp"

namespace keyhop::store {

class EventAppender final {
 public:
  // `session` is leased by the caller for longer than the appender lives.
  explicit EventAppender(Poco::Data::Session& session);
  EventAppender(const EventAppender&) = delete;
  EventAppender& operator=(const EventAppender&) = delete;

  // Returns the new event's id.
  std::string append(const std::string& account_id, const std::string& type,
                     const std::string& payload_json);

 private:
  // The statement reads these at every execution.
  std::string id_;
  std::string account_id_;
  std::string type_;
  std::string payload_;
  Poco::Int64 created_at_ = 0;
  Poco::Data::Statement statement_;
};

struct NewEvent {
  std::string account_id;
  std::string type;
  std::string payload;  // a JSON object
};

// Appends `events` in order inside the caller's transaction, with one multi-row INSERT per
// kRowsPerInsert events (multi_row.hpp): what a batch of changes enqueues.
void appendEvents(Poco::Data::Session& session, const Dialect& dialect,
                  std::vector<NewEvent> events);

}  // namespace keyhop::store
