#pragma once

// Which `${...}` names a descriptor defines, and which of them each field may use: a name is
// usable only where its value is known by the time the field is filled in.

#include <optional>
#include <string>
#include <vector>

#include "core/registry/template_check.hpp"
#include "keyhop/provider_spec.hpp"

namespace keyhop::registry {

// When a field is filled in, which decides the names it may use.
enum class Known {
  Nothing,           // never filled in (docs: a link for people)
  ConnectionFields,  // before the exchange: only what the end user typed in
  Connection,        // after the exchange: every ${connection.x} and ${credentials.x}
  Stamp,             // the same, plus the credential itself
};

// The credential's own names that api.stamp.format may use; every mode's when `mode` is unknown.
std::vector<std::string> credentialNames(std::optional<AuthMode> mode);

class PlaceholderScope final {
 public:
  // `mode` empty: the descriptor's auth is missing or invalid; no credential name is refused.
  explicit PlaceholderScope(std::optional<AuthMode> mode) : mode_(mode) {}

  // Records `name` ("connection.realmId"), defined by the key `origin`. Returns the key that
  // defined it before, leaving that definition in place, if there was one.
  std::optional<std::string> define(const std::string& name, const std::string& origin);

  PlaceholderRule ruleFor(Known known) const;
  // Every name the descriptor defines, credentials included.
  std::vector<std::string> defined() const;

 private:
  struct Definition {
    std::string name;
    std::string origin;
  };

  std::optional<AuthMode> mode_;
  std::vector<Definition> definitions_;
};

}  // namespace keyhop::registry
