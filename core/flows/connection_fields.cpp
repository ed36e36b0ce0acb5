#include "core/flows/connection_fields.hpp"

#include <algorithm>
#include <regex>

namespace keyhop::flows {
namespace {

// A host name is at most 253 bytes; no field needs more. The bound also keeps a pattern's
// backtracking short.
constexpr std::size_t kMaxValueBytes = 253;

}  // namespace

std::optional<std::string> connectionFieldProblem(const ConnectionField& field,
                                                  std::string_view value) {
  if (value.size() > kMaxValueBytes ||
      !std::regex_match(value.begin(), value.end(), std::regex(field.pattern))) {
    return "must match " + field.pattern;
  }
  return std::nullopt;
}

std::optional<std::string> connectionFieldsProblem(
    const ProviderSpec& spec, const std::map<std::string, std::string>& fields) {
  for (const auto& entry : fields) {
    const bool known =
        std::any_of(spec.connection_fields.begin(), spec.connection_fields.end(),
                    [&](const ConnectionField& field) { return field.name == entry.first; });
    if (!known) return "connection field " + entry.first + " is not one of provider " + spec.id;
  }
  for (const auto& field : spec.connection_fields) {
    const auto it = fields.find(field.name);
    if (it == fields.end()) {
      return "connection field " + field.name + " is required by provider " + spec.id;
    }
    if (auto problem = connectionFieldProblem(field, it->second)) {
      return "connection field " + field.name + " " + *problem;
    }
  }
  return std::nullopt;
}

}  // namespace keyhop::flows
