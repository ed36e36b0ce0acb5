#include "core/server/handlers/json_input.hpp"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <set>
#include <sstream>

#include "core/server/api_error.hpp"

namespace keyhop::server {
namespace {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

bool isObject(const Var& value) { return value.type() == typeid(Object::Ptr); }
bool isArray(const Var& value) { return value.type() == typeid(Array::Ptr); }
// Poco counts a bool as an integer.
bool isInteger(const Var& value) { return value.isInteger() && value.type() != typeid(bool); }

bool hasControlCharacter(const std::string& value) {
  return std::any_of(value.begin(), value.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte < 0x20 || byte == 0x7f;
  });
}

}  // namespace

JsonInput::JsonInput(const std::string& body) {
  try {
    const Var parsed = Poco::JSON::Parser().parse(body);
    if (isObject(parsed)) {
      object_ = parsed.extract<Object::Ptr>();
      return;
    }
  } catch (const Poco::Exception&) {
    // Reported below; the parser's message may quote the body.
  }
  object_ = new Object;
  fail("body", "must be a JSON object");
}

bool JsonInput::has(const std::string& field) const {
  return object_->has(field) && !object_->isNull(field);
}

bool JsonInput::checkText(const std::string& field, const std::string& value,
                          const TextRule& rule) {
  if (value.empty() && !rule.allow_empty) {
    fail(field, "must not be empty");
  } else if (value.size() > rule.max_bytes) {
    fail(field, "must be at most " + std::to_string(rule.max_bytes) + " bytes");
  } else if (hasControlCharacter(value)) {
    fail(field, "must not contain control characters");
  } else {
    return true;
  }
  return false;
}

std::optional<std::string> JsonInput::text(const std::string& field, TextRule rule) {
  if (!has(field)) return std::nullopt;
  const Var value = object_->get(field);
  if (!value.isString()) {
    fail(field, "must be a string");
    return std::nullopt;
  }
  std::string result = value.extract<std::string>();
  if (!checkText(field, result, rule)) return std::nullopt;
  return result;
}

std::optional<std::string> JsonInput::requiredText(const std::string& field, TextRule rule) {
  if (!has(field)) {
    fail(field, "is required");
    return std::nullopt;
  }
  return text(field, rule);
}

std::optional<std::vector<std::string>> JsonInput::textList(const std::string& field,
                                                            std::size_t max_items, TextRule rule) {
  if (!has(field)) return std::nullopt;
  const Var value = object_->get(field);
  if (!isArray(value)) {
    fail(field, "must be an array of strings");
    return std::nullopt;
  }
  const auto array = value.extract<Array::Ptr>();
  if (array->size() > max_items) {
    fail(field, "must have at most " + std::to_string(max_items) + " items");
    return std::nullopt;
  }
  std::vector<std::string> items;
  bool valid = true;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const std::string name = field + "[" + std::to_string(i) + "]";
    const Var item = array->get(static_cast<unsigned>(i));
    if (!item.isString()) {
      fail(name, "must be a string");
      valid = false;
    } else if (checkText(name, item.extract<std::string>(), rule)) {
      items.push_back(item.extract<std::string>());
    } else {
      valid = false;
    }
  }
  if (!valid) return std::nullopt;
  return items;
}

std::optional<std::map<std::string, std::string>> JsonInput::textMap(const std::string& field,
                                                                     TextRule rule) {
  if (!has(field)) return std::nullopt;
  const Var value = object_->get(field);
  if (!isObject(value)) {
    fail(field, "must be an object of strings");
    return std::nullopt;
  }
  const auto object = value.extract<Object::Ptr>();
  std::map<std::string, std::string> items;
  bool valid = true;
  for (const auto& [key, item] : *object) {
    const std::string name = field + "." + key;
    if (!item.isString()) {
      fail(name, "must be a string");
      valid = false;
    } else if (checkText(name, item.extract<std::string>(), rule)) {
      items.emplace(key, item.extract<std::string>());
    } else {
      valid = false;
    }
  }
  if (!valid) return std::nullopt;
  return items;
}

std::optional<std::string> JsonInput::objectText(const std::string& field) {
  if (!has(field)) return std::nullopt;
  const Var value = object_->get(field);
  if (!isObject(value)) {
    fail(field, "must be an object");
    return std::nullopt;
  }
  std::ostringstream out;
  value.extract<Object::Ptr>()->stringify(out);
  return out.str();
}

std::optional<std::int64_t> JsonInput::integer(const std::string& field, std::int64_t min,
                                               std::int64_t max) {
  if (!has(field)) return std::nullopt;
  const Var value = object_->get(field);
  const std::string range = std::to_string(min) + " to " + std::to_string(max);
  if (!isInteger(value)) {
    fail(field, "must be an integer from " + range);
    return std::nullopt;
  }
  std::int64_t number = 0;
  bool in_range = true;
  try {
    number = value.convert<std::int64_t>();
  } catch (const Poco::Exception&) {  // an unsigned value above INT64_MAX
    in_range = false;
  }
  if (!in_range || number < min || number > max) {
    fail(field, "must be an integer from " + range);
    return std::nullopt;
  }
  return number;
}

void JsonInput::fail(const std::string& field, const std::string& problem) {
  problems_.emplace(field, problem);  // the first problem of a field is the one to fix first
}

void JsonInput::rejectUnknown(std::initializer_list<const char*> known) {
  const std::set<std::string> names(known.begin(), known.end());
  for (const auto& [key, value] : *object_) {
    if (names.count(key) == 0) fail(key, "is not a known field");
  }
}

Response JsonInput::errorResponse() const {
  std::string message;
  for (const auto& [field, problem] : problems_) {
    message += (message.empty() ? "" : "; ") + field + " " + problem;
  }
  return keyhopError(400, "invalid_request", message, problems_);
}

}  // namespace keyhop::server
