#include "core/server/handlers/connection_fields.hpp"

#include <algorithm>

#include "core/flows/connection_fields.hpp"

namespace keyhop::server {

std::map<std::string, std::string> resolveConnectionFields(
    const ProviderSpec& spec, const std::map<std::string, std::string>& given, JsonInput& input) {
  std::map<std::string, std::string> resolved;
  for (const auto& [name, value] : given) {
    const bool known =
        std::any_of(spec.connection_fields.begin(), spec.connection_fields.end(),
                    [&](const ConnectionField& field) { return field.name == name; });
    if (!known) {
      input.fail("connection_fields." + name,
                 spec.connection_fields.empty()
                     ? "is not a field of provider " + spec.id + " (it has none)"
                     : "is not a field of provider " + spec.id);
    }
  }
  for (const auto& field : spec.connection_fields) {
    const std::string name = "connection_fields." + field.name;
    const auto it = given.find(field.name);
    if (it == given.end()) {
      if (field.default_value) {
        resolved.emplace(field.name, *field.default_value);
      } else {
        input.fail(name, "is required by provider " + spec.id);
      }
    } else if (auto problem = flows::connectionFieldProblem(field, it->second)) {
      input.fail(name, *problem);
    } else {
      resolved.emplace(field.name, it->second);
    }
  }
  return resolved;
}

}  // namespace keyhop::server
