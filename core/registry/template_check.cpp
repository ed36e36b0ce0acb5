#include "core/registry/template_check.hpp"

#include <algorithm>

namespace keyhop::registry {

namespace {

constexpr std::string_view kOpen = "${";

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::string listPlaceholders(const std::vector<std::string>& names) {
  if (names.empty()) return "none";
  std::string list;
  for (const std::string& name : names) {
    if (!list.empty()) list += ", ";
    list += "${" + name + "}";
  }
  return list;
}

// Where a name of each kind comes from, for an author who misspelt or forgot one.
std::string origin(const std::string& name) {
  if (name.rfind("connection.", 0) == 0) {
    return "${connection.x} names come from connection_fields, callback_capture and "
           "post_connect.capture; ";
  }
  if (name.rfind("credentials.", 0) == 0) {
    return "${credentials.x} names come from token_response.capture; ";
  }
  return "";
}

}  // namespace

Placeholders findPlaceholders(std::string_view text) {
  Placeholders found;
  std::size_t at = text.find(kOpen);
  while (at != std::string_view::npos) {
    const std::size_t close = text.find('}', at + kOpen.size());
    if (close == std::string_view::npos) {
      found.unterminated = true;
      break;
    }
    found.names.emplace_back(text.substr(at + kOpen.size(), close - at - kOpen.size()));
    at = text.find(kOpen, close + 1);
  }
  return found;
}

std::string replacePlaceholders(std::string_view text, std::string_view replacement) {
  std::string result;
  std::size_t from = 0;
  std::size_t at = text.find(kOpen);
  while (at != std::string_view::npos) {
    const std::size_t close = text.find('}', at + kOpen.size());
    if (close == std::string_view::npos) break;
    result.append(text.substr(from, at - from)).append(replacement);
    from = close + 1;
    at = text.find(kOpen, from);
  }
  return result.append(text.substr(from));
}

std::vector<std::string> checkTemplate(std::string_view text, std::string_view field,
                                       const PlaceholderRule& rule,
                                       const std::vector<std::string>& defined) {
  const Placeholders found = findPlaceholders(text);
  const std::string where(field);
  std::vector<std::string> problems;
  auto report = [&problems](std::string message) {
    if (!contains(problems, message)) problems.push_back(std::move(message));
  };
  for (const std::string& name : found.names) {
    if (contains(rule.allowed, name)) continue;
    if (contains(defined, name)) {
      report("placeholder '${" + name + "}' cannot be used in " + where + ": " + rule.description +
             " (available here: " + listPlaceholders(rule.allowed) + ")");
    } else {
      report("undefined placeholder '${" + name + "}' in " + where + " (" + origin(name) +
             "available here: " + listPlaceholders(rule.allowed) + ")");
    }
  }
  if (found.unterminated) {
    report("unterminated placeholder in " + where + ": '${' without a closing '}'");
  }
  return problems;
}

}  // namespace keyhop::registry
