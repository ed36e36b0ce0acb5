#pragma once

// A provider's answer body read as fields: a JSON object, or a form-encoded body. Fields are
// found by dotted path (`authed_user.access_token`); in a form body the whole path is one name,
// which is how flat form answers spell nested fields.

#include <Poco/JSON/Object.h>

#include <optional>
#include <string>
#include <string_view>

#include "core/flows/url_encoding.hpp"

namespace keyhop::flows {

class ResponseDocument final {
 public:
  // By Content-Type (application/json or *+json; application/x-www-form-urlencoded or
  // text/plain), falling back to the body's look when the type says neither or is wrong.
  // Empty when the body is neither a JSON object nor a form.
  static std::optional<ResponseDocument> parse(std::string_view content_type,
                                               std::string_view body);

  // A string, number or boolean at `path`, as text; empty when absent, null or not a scalar.
  std::optional<std::string> text(std::string_view path) const;
  // An integer, or a string that holds one, at `path`.
  std::optional<long long> integer(std::string_view path) const;
  // True when `path` holds the JSON literal false (Slack's "ok": false), or the text "false".
  bool isFalse(std::string_view path) const;

 private:
  Poco::JSON::Object::Ptr json_;  // null for a form body
  Params form_;
};

}  // namespace keyhop::flows
