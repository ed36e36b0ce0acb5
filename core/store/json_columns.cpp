#include "core/store/json_columns.hpp"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <sstream>

namespace keyhop::store {
namespace {

template <typename T>
std::string stringify(const T& json) {
  std::ostringstream out;
  json.stringify(out);
  return out.str();
}

Poco::Dynamic::Var parse(std::string_view json) {
  return Poco::JSON::Parser().parse(std::string(json));
}

Poco::JSON::Object toObject(const std::map<std::string, std::string>& items) {
  Poco::JSON::Object object;
  for (const auto& [key, value] : items) object.set(key, value);
  return object;
}

// The string members of `object`; nullopt if any member is not a string.
std::optional<std::map<std::string, std::string>> stringMembers(const Poco::JSON::Object& object) {
  std::map<std::string, std::string> items;
  for (const auto& [key, value] : object) {
    if (!value.isString()) return std::nullopt;
    items[key] = value.extract<std::string>();
  }
  return items;
}

}  // namespace

std::string encodeList(const std::vector<std::string>& items) {
  Poco::JSON::Array array;
  for (const auto& item : items) array.add(item);
  return stringify(array);
}

std::optional<std::vector<std::string>> decodeList(std::string_view json) {
  try {
    const auto array = parse(json).extract<Poco::JSON::Array::Ptr>();
    std::vector<std::string> items;
    for (const auto& value : *array) {
      if (!value.isString()) return std::nullopt;
      items.push_back(value.extract<std::string>());
    }
    return items;
  } catch (const Poco::Exception&) {
    return std::nullopt;
  }
}

std::string encodeMap(const std::map<std::string, std::string>& items) {
  return stringify(toObject(items));
}

std::optional<std::map<std::string, std::string>> decodeMap(std::string_view json) {
  try {
    return stringMembers(*parse(json).extract<Poco::JSON::Object::Ptr>());
  } catch (const Poco::Exception&) {
    return std::nullopt;
  }
}

bool isJsonObject(std::string_view json) {
  try {
    return parse(json).type() == typeid(Poco::JSON::Object::Ptr);
  } catch (const Poco::Exception&) {
    return false;
  }
}

std::string encodeCredentials(const Credentials& credentials, const std::string& raw_response) {
  Poco::JSON::Object object;
  object.set("access_token", credentials.access_token);
  object.set("refresh_token", credentials.refresh_token);
  object.set("token_secret", credentials.token_secret);
  object.set("api_key", credentials.api_key);
  object.set("username", credentials.username);
  object.set("password", credentials.password);
  if (credentials.expires_at) {
    object.set("expires_at", Poco::Int64(*credentials.expires_at));
  } else {
    object.set("expires_at", Poco::Dynamic::Var());
  }
  object.set("captured", toObject(credentials.captured));
  object.set("raw_response", raw_response);
  return stringify(object);
}

std::optional<DecodedCredentials> decodeCredentials(std::string_view json) {
  try {
    const auto object = parse(json).extract<Poco::JSON::Object::Ptr>();
    DecodedCredentials decoded;
    Credentials& credentials = decoded.credentials;
    credentials.access_token = object->getValue<std::string>("access_token");
    credentials.refresh_token = object->getValue<std::string>("refresh_token");
    credentials.token_secret = object->getValue<std::string>("token_secret");
    credentials.api_key = object->getValue<std::string>("api_key");
    credentials.username = object->getValue<std::string>("username");
    credentials.password = object->getValue<std::string>("password");
    if (!object->isNull("expires_at")) {
      credentials.expires_at = object->getValue<Poco::Int64>("expires_at");
    }
    const auto captured_object = object->getObject("captured");
    if (!captured_object) return std::nullopt;
    auto captured = stringMembers(*captured_object);
    if (!captured) return std::nullopt;
    credentials.captured = std::move(*captured);
    decoded.raw_response = object->getValue<std::string>("raw_response");
    return decoded;
  } catch (const Poco::Exception&) {
    return std::nullopt;
  }
}

}  // namespace keyhop::store
