#include "core/flows/templates.hpp"

#include <Poco/String.h>

#include <functional>

#include "core/flows/encoding.hpp"
#include "core/flows/http_client.hpp"
#include "core/flows/http_text.hpp"
#include "core/flows/url_encoding.hpp"

namespace keyhop::flows {

namespace {

// Where a filled value lands in a URL, which decides how it is checked.
enum class Slot { Text, Origin, Host, PathOrQuery };

// Maps of connection fields and captured values hold a few entries: a scan finds a name
// without making a std::string of it.
const std::string* find(const std::map<std::string, std::string>* map, std::string_view name) {
  if (map == nullptr) return nullptr;
  for (const auto& [key, value] : *map) {
    if (key == name) return &value;
  }
  return nullptr;
}

// `basic` is made into `scratch`, the only value that is not kept somewhere already.
const std::string* stampValue(const Credentials* credentials, std::string_view name,
                              std::string& scratch) {
  if (credentials == nullptr) return nullptr;
  if (name == "access_token") return &credentials->access_token;
  if (name == "api_key") return &credentials->api_key;
  if (name == "username") return &credentials->username;
  if (name == "password") return &credentials->password;
  if (name == "basic" && (!credentials->username.empty() || !credentials->password.empty())) {
    scratch = base64(credentials->username + ":" + credentials->password);
    return &scratch;
  }
  return nullptr;
}

const std::string* lookup(const TemplateValues& values, std::string_view name,
                          std::string& scratch) {
  if (name.rfind("connection.", 0) == 0) return find(values.connection, name.substr(11));
  if (name.rfind("credentials.", 0) == 0) return find(values.credentials, name.substr(12));
  return stampValue(values.stamp, name, scratch);
}

bool isStrictOrigin(std::string_view value) {
  std::string_view rest;
  bool https = false;
  if (value.rfind("https://", 0) == 0) {
    rest = value.substr(8);
    https = true;
  } else if (value.rfind("http://", 0) == 0) {
    rest = value.substr(7);
  } else {
    return false;
  }
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  std::string_view host = rest;
  const std::size_t colon = rest.rfind(':');
  if (colon != std::string_view::npos) {
    const std::string_view port = rest.substr(colon + 1);
    if (port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string_view::npos ||
        std::stoi(std::string(port)) > 65535) {
      return false;
    }
    host = rest.substr(0, colon);
  }
  if (!isStrictHostName(host)) return false;
  return https || isLoopbackHost(host);
}

Filled fill(std::string_view text, const TemplateValues& values, std::string_view field,
            const std::function<Slot(std::size_t)>& slot_at) {
  Filled filled;
  std::string scratch;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t open = text.find("${", pos);
    if (open == std::string_view::npos) {
      filled.value.append(text.substr(pos));
      break;
    }
    filled.value.append(text.substr(pos, open - pos));
    const std::size_t close = text.find('}', open);
    if (close == std::string_view::npos) {
      filled.error = std::string(field) + ": unterminated '${'";
      return filled;
    }
    const std::string_view name = text.substr(open + 2, close - open - 2);
    const auto placeholder = [&] { return "${" + std::string(name) + "}"; };  // errors only
    const std::string* value = lookup(values, name, scratch);
    if (value == nullptr || value->empty()) {
      filled.error = std::string(field) + ": " + placeholder() + " has no value";
      return filled;
    }
    switch (slot_at(open)) {
      case Slot::Text:
        if (holdsLineBreak(*value)) {
          filled.error = std::string(field) + ": " + placeholder() + " holds a line break";
          return filled;
        }
        filled.value += *value;
        break;
      case Slot::Origin:
        if (!isStrictOrigin(*value)) {
          filled.error = std::string(field) + ": " + placeholder() +
                         " is not an https origin with a valid host name";
          return filled;
        }
        filled.value += *value;
        // "${credentials.instance_url}/services" with an instance_url that ends in '/'.
        if (filled.value.back() == '/' && text.substr(close + 1, 1) == "/") filled.value.pop_back();
        break;
      case Slot::Host:
        if (!isStrictHostName(*value)) {
          filled.error = std::string(field) + ": " + placeholder() + " is not a valid host name";
          return filled;
        }
        filled.value += *value;
        break;
      case Slot::PathOrQuery:
        filled.value += percentEncode(*value);
        break;
    }
    pos = close + 1;
  }
  return filled;
}

}  // namespace

TemplateValues templateValues(const Credentials& credentials) {
  return {&credentials.connection_fields, &credentials.captured, &credentials};
}

bool isStrictHostName(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = host.find('.', start);
    const std::string_view label = host.substr(start, dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (const char c : label) {
      const bool ok =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
      if (!ok) return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

Filled fillText(std::string_view text, const TemplateValues& values, std::string_view field) {
  return fill(text, values, field, [](std::size_t) { return Slot::Text; });
}

Filled fillUrl(std::string_view url, const TemplateValues& values, std::string_view field) {
  const std::size_t scheme_end = url.find("://");
  const std::size_t authority_start = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
  const std::size_t authority_end =
      scheme_end == std::string_view::npos ? 0 : url.find_first_of("/?#", authority_start);
  return fill(url, values, field, [&](std::size_t at) {
    if (at == 0) return Slot::Origin;
    if (at >= authority_start && at < authority_end) return Slot::Host;
    return Slot::PathOrQuery;
  });
}

}  // namespace keyhop::flows
