#pragma once

// Fills a descriptor's templates per connection: `${connection.x}`, `${credentials.y}` and the
// stamp placeholders (`${access_token}`, `${api_key}`, `${username}`, `${password}`,
// `${basic}`). The registry has already checked that every name a template uses may exist
// there; what is left is a value that is missing or unfit at run time. Errors name the field
// and the placeholder, never the value: it may be a secret.

#include <map>
#include <string>
#include <string_view>

#include "keyhop/provider.hpp"

namespace keyhop::flows {

// Where the values come from: viewed, never copied (a stamp fills templates on every proxied
// request), so what they point at must outlive the fill. A source left null has no values.
struct TemplateValues {
  const std::map<std::string, std::string>* connection = nullptr;   // ${connection.NAME}
  const std::map<std::string, std::string>* credentials = nullptr;  // ${credentials.NAME}
  // ${access_token}, ${api_key}, ${username}, ${password}, and ${basic}: base64 of
  // username:password, when either is set.
  const Credentials* stamp = nullptr;
};

// connection <- connection_fields, credentials <- captured, stamp <- `credentials` itself.
TemplateValues templateValues(const Credentials& credentials);

struct Filled {
  std::string value;
  std::string error;  // empty when filled
  explicit operator bool() const { return error.empty(); }
};

// A text (a header value, a parameter value). A value with CR, LF or NUL is refused: it would
// split a header.
Filled fillText(std::string_view text, const TemplateValues& values, std::string_view field);

// A URL. A placeholder in the host must be filled with a strict host name (letters, digits,
// '-', single dots); one that starts the URL must hold a whole origin (https, or http to a
// loopback host) with such a host; one in the path or query is percent-encoded, so a value can
// never change where the request goes.
Filled fillUrl(std::string_view url, const TemplateValues& values, std::string_view field);

// letters, digits and '-' in labels joined by single dots; no label starts or ends with '-'.
bool isStrictHostName(std::string_view host);

}  // namespace keyhop::flows
