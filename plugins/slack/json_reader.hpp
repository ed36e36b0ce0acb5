#pragma once

// A small, strict JSON reader (RFC 8259) for the Slack plugin, which sees the SDK alone and so
// cannot use the core's JSON library. It reads whole documents into values; it never writes.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace keyhop::slack::json {

class Value;
using Array = std::vector<Value>;
using Object = std::vector<std::pair<std::string, Value>>;  // in document order

class Value {
 public:
  // A number keeps its text, so an integer of any size converts exactly.
  struct Number {
    std::string text;
  };

  Value() = default;  // null
  explicit Value(bool value) : data_(value) {}
  explicit Value(Number value) : data_(std::move(value)) {}
  explicit Value(std::string value) : data_(std::move(value)) {}
  explicit Value(Array value) : data_(std::move(value)) {}
  explicit Value(Object value) : data_(std::move(value)) {}

  bool isNull() const { return std::holds_alternative<std::monostate>(data_); }
  const bool* asBool() const { return std::get_if<bool>(&data_); }
  const std::string* asString() const { return std::get_if<std::string>(&data_); }
  const Array* asArray() const { return std::get_if<Array>(&data_); }
  const Object* asObject() const { return std::get_if<Object>(&data_); }
  // Set only for a number that is an integer in range (no fraction, no exponent).
  std::optional<std::int64_t> asInteger() const;

  // The member named `key` of an object (the first, if repeated); null for anything else.
  const Value* get(std::string_view key) const;

 private:
  std::variant<std::monostate, bool, Number, std::string, Array, Object> data_;
};

struct ParseResult {
  std::optional<Value> value;  // set when `error` is empty
  std::string error;           // what was wrong and at which byte offset
};

ParseResult parse(std::string_view text);

}  // namespace keyhop::slack::json
