#include "core/registry/url_check.hpp"

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include <algorithm>
#include <cctype>

#include "core/registry/template_check.hpp"

namespace keyhop::registry {

namespace {

bool isLoopback(const std::string& host) {
  return host == "127.0.0.1" || host == "::1" || host == "localhost";
}

// Poco::URI accepts any characters in a host; a descriptor should not.
bool isValidHost(const std::string& host) {
  const bool ipv6 = host.find(':') != std::string::npos;
  return std::all_of(host.begin(), host.end(), [ipv6](unsigned char c) {
    if (ipv6) return std::isxdigit(c) != 0 || c == ':' || c == '.';
    return std::isalnum(c) != 0 || c == '.' || c == '-';
  });
}

std::string lower(std::string_view text) {
  std::string result(text);
  std::transform(result.begin(), result.end(), result.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return result;
}

}  // namespace

std::optional<std::string> checkUrl(std::string_view url, std::string_view field,
                                    bool may_start_with_credentials) {
  const std::string name(field);
  if (may_start_with_credentials && url.rfind("${credentials.", 0) == 0) return std::nullopt;
  const bool has_blank = std::any_of(url.begin(), url.end(), [](unsigned char c) {
    return std::isspace(c) != 0 || std::iscntrl(c) != 0;
  });
  if (has_blank) return name + " must not contain spaces or control characters";

  // The scheme is read from the text: a placeholder may stand where the host is, and what it
  // becomes is not known until a connection supplies it.
  const std::size_t separator = url.find("://");
  const std::string scheme = lower(url.substr(0, separator));
  const bool scheme_ok = separator != std::string_view::npos && !scheme.empty() &&
                         std::all_of(scheme.begin(), scheme.end(), [](unsigned char c) {
                           return std::isalnum(c) != 0 || c == '+' || c == '-' || c == '.';
                         });
  if (!scheme_ok) {
    return name + " must be an absolute https URL (got '" + std::string(url) + "')";
  }
  if (scheme != "https" && scheme != "http") {
    return name + " must use https (got scheme '" + scheme + "')";
  }
  // An unterminated placeholder is reported by the template check; the rest cannot be read.
  if (findPlaceholders(url).unterminated) return std::nullopt;

  Poco::URI parsed;
  try {
    parsed = Poco::URI(replacePlaceholders(url, "placeholder"));
  } catch (const Poco::Exception& e) {  // SyntaxException, in practice
    return name + " is not a valid URL: " + e.message();
  }
  if (!parsed.getUserInfo().empty()) {
    return name +
           " must not carry a user name or password (credentials belong in keyhop's store, not in "
           "a descriptor)";
  }
  const std::string& host = parsed.getHost();
  if (host.empty()) return name + " has no host";
  if (!isValidHost(host)) return name + " has an invalid host '" + host + "'";
  if (scheme == "http" && !isLoopback(host)) {
    return name + " must use https (http is only allowed for loopback hosts)";
  }
  return std::nullopt;
}

}  // namespace keyhop::registry
