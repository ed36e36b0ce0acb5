#include "core/registry/placeholder_scope.hpp"

namespace keyhop::registry {

std::vector<std::string> credentialNames(std::optional<AuthMode> mode) {
  if (!mode) return {"access_token", "api_key", "username", "password", "basic"};
  switch (*mode) {
    case AuthMode::OAuth2:
    case AuthMode::OAuth2ClientCredentials:
      return {"access_token"};
    case AuthMode::ApiKey:
      return {"api_key"};
    case AuthMode::Basic:
      return {"username", "password", "basic"};
    case AuthMode::OAuth1:
      break;  // calls are signed: there is no stamp to fill in
  }
  return {};
}

std::optional<std::string> PlaceholderScope::define(const std::string& name,
                                                    const std::string& origin) {
  for (const Definition& definition : definitions_) {
    if (definition.name == name) return definition.origin;
  }
  definitions_.push_back(Definition{name, origin});
  return std::nullopt;
}

PlaceholderRule PlaceholderScope::ruleFor(Known known) const {
  PlaceholderRule rule;
  switch (known) {
    case Known::Nothing:
      rule.description = "it takes no placeholders";
      break;
    case Known::ConnectionFields:
      for (const Definition& definition : definitions_) {
        if (definition.origin == "connection_fields") rule.allowed.push_back(definition.name);
      }
      rule.description = "only ${connection.x} from connection_fields is known when it is used";
      break;
    case Known::Connection:
    case Known::Stamp:
      for (const Definition& definition : definitions_) rule.allowed.push_back(definition.name);
      rule.description = "it takes ${connection.x} and ${credentials.x} names";
      if (known == Known::Stamp) {
        const std::vector<std::string> credential = credentialNames(mode_);
        rule.allowed.insert(rule.allowed.end(), credential.begin(), credential.end());
        rule.description += " and the credential";
      }
      break;
  }
  return rule;
}

std::vector<std::string> PlaceholderScope::defined() const {
  std::vector<std::string> names = credentialNames(mode_);
  for (const Definition& definition : definitions_) names.push_back(definition.name);
  return names;
}

}  // namespace keyhop::registry
