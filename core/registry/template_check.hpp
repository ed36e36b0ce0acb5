#pragma once

// `${...}` placeholders in descriptor strings: finding them, and checking that each names
// something the descriptor defines and that is known when the field is used.

#include <string>
#include <string_view>
#include <vector>

namespace keyhop::registry {

struct Placeholders {
  std::vector<std::string> names;  // in order of appearance, without `${` and `}`
  bool unterminated = false;       // a `${` with no `}` after it
};

Placeholders findPlaceholders(std::string_view text);

// `text` with every complete placeholder replaced by `replacement`.
std::string replacePlaceholders(std::string_view text, std::string_view replacement);

// The placeholders one field may use.
struct PlaceholderRule {
  std::vector<std::string> allowed;  // names such as "connection.subdomain", "access_token"
  std::string description;           // why, for messages: "it takes no placeholders"
};

// What is wrong with the placeholders in `text`, the value of `field`, one message each.
// `defined` holds every name the descriptor defines anywhere, so that a name used where it is
// not known yet is told apart from a name that does not exist.
std::vector<std::string> checkTemplate(std::string_view text, std::string_view field,
                                       const PlaceholderRule& rule,
                                       const std::vector<std::string>& defined);

}  // namespace keyhop::registry
