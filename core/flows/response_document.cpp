#include "core/flows/response_document.hpp"

#include <Poco/JSON/Parser.h>
#include <Poco/NumberParser.h>
#include <Poco/String.h>

namespace keyhop::flows {

namespace {

std::optional<Poco::JSON::Object::Ptr> parseJsonObject(std::string_view body) {
  try {
    Poco::JSON::Parser parser;
    const Poco::Dynamic::Var parsed = parser.parse(std::string(body));
    if (parsed.type() != typeid(Poco::JSON::Object::Ptr)) return std::nullopt;
    return parsed.extract<Poco::JSON::Object::Ptr>();
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// A form answer has at least one name=value pair and no characters a form never holds.
std::optional<Params> parseFormBody(std::string_view body) {
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.remove_suffix(1);
  if (body.empty() || body.find('=') == std::string_view::npos) return std::nullopt;
  if (body.find_first_of(" \t\r\n<>{}\"") != std::string_view::npos) return std::nullopt;
  return parseForm(body);
}

bool looksLikeJson(std::string_view body) {
  const std::size_t first = body.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && body[first] == '{';
}

}  // namespace

std::optional<ResponseDocument> ResponseDocument::parse(std::string_view content_type,
                                                        std::string_view body) {
  const std::string type = Poco::toLower(std::string(content_type));
  const bool says_json = type.find("json") != std::string::npos;
  const bool says_form = type.find("application/x-www-form-urlencoded") != std::string::npos ||
                         type.find("text/plain") != std::string::npos;
  ResponseDocument document;
  // The type first, then the body's look: providers mislabel both ways (GitHub's form answers
  // were once text/plain, some JSON answers come as text/html).
  if (says_json || (!says_form && looksLikeJson(body))) {
    if (auto object = parseJsonObject(body)) {
      document.json_ = *object;
      return document;
    }
  }
  if (auto form = parseFormBody(body)) {
    document.form_ = std::move(*form);
    return document;
  }
  if (auto object = parseJsonObject(body)) {
    document.json_ = *object;
    return document;
  }
  return std::nullopt;
}

std::optional<std::string> ResponseDocument::text(std::string_view path) const {
  if (!json_) {
    for (const auto& [name, value] : form_) {
      if (name == path) return value;
    }
    return std::nullopt;
  }
  Poco::JSON::Object::Ptr object = json_;
  std::string_view rest = path;
  while (true) {
    const std::size_t dot = rest.find('.');
    const std::string key(rest.substr(0, dot));
    if (!object->has(key)) return std::nullopt;
    if (dot == std::string_view::npos) {
      const Poco::Dynamic::Var value = object->get(key);
      if (value.isEmpty() || value.isArray() || value.isStruct() ||
          value.type() == typeid(Poco::JSON::Object::Ptr) ||
          value.type() == typeid(Poco::JSON::Array::Ptr)) {
        return std::nullopt;
      }
      return value.convert<std::string>();
    }
    object = object->getObject(key);
    if (!object) return std::nullopt;
    rest = rest.substr(dot + 1);
  }
}

std::optional<long long> ResponseDocument::integer(std::string_view path) const {
  const auto value = text(path);
  if (!value) return std::nullopt;
  Poco::Int64 number = 0;
  if (Poco::NumberParser::tryParse64(*value, number)) return number;
  double real = 0;
  if (Poco::NumberParser::tryParseFloat(*value, real)) return static_cast<long long>(real);
  return std::nullopt;
}

bool ResponseDocument::isFalse(std::string_view path) const {
  const auto value = text(path);
  return value && *value == "false";
}

}  // namespace keyhop::flows
