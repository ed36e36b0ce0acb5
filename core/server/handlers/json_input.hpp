#pragma once

// Reads a JSON object request body field by field and collects every problem, so one 400
// names them all (`invalid_request` with a `fields` map). Problems never quote a value: it may
// be a secret.

#include <Poco/JSON/Object.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/server/http_message.hpp"

namespace keyhop::server {

struct TextRule {
  std::size_t max_bytes = 4096;
  bool allow_empty = false;
};

class JsonInput final {
 public:
  // A body that is not a JSON object is a problem of the field "body".
  explicit JsonInput(const std::string& body);

  bool has(const std::string& field) const;
  // Absent (or JSON null): nothing, and no problem. Present with the wrong type, empty (unless
  // allowed), too long, or holding control characters: nothing, and a problem.
  std::optional<std::string> text(const std::string& field, TextRule rule = {});
  // As text(), and absence is a problem too.
  std::optional<std::string> requiredText(const std::string& field, TextRule rule = {});
  std::optional<std::vector<std::string>> textList(const std::string& field, std::size_t max_items,
                                                   TextRule rule = {});
  std::optional<std::map<std::string, std::string>> textMap(const std::string& field,
                                                            TextRule rule = {});
  // A JSON object, rendered back to text.
  std::optional<std::string> objectText(const std::string& field);
  std::optional<std::int64_t> integer(const std::string& field, std::int64_t min, std::int64_t max);

  void fail(const std::string& field, const std::string& problem);
  // Every top-level field not in `known` is a problem: a misspelt field is never ignored.
  void rejectUnknown(std::initializer_list<const char*> known);

  bool ok() const { return problems_.empty(); }
  // 400 `invalid_request` naming every problem.
  Response errorResponse() const;

 private:
  bool checkText(const std::string& field, const std::string& value, const TextRule& rule);

  Poco::JSON::Object::Ptr object_;
  std::map<std::string, std::string> problems_;
};

}  // namespace keyhop::server
