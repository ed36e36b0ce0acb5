#pragma once

// The shapes of the names and strings a descriptor holds, checked without std::regex: they are
// simple character classes, and their error messages say the rule in words.

#include <string>

namespace keyhop::registry {

// ^[a-z0-9][a-z0-9-]{0,62}$: usable in URLs and file names as it is.
bool isProviderId(const std::string& id);

// ^[A-Za-z_][A-Za-z0-9_]*$: callback_capture and capture names.
bool isIdentifier(const std::string& name);

// ^[a-z][a-z0-9_]*$: connection field names.
bool isFieldName(const std::string& name);

// Segments of [A-Za-z0-9_]+ joined by '.': a path into a JSON response (`team.id`).
bool isDottedPath(const std::string& path);

// An RFC 9110 token.
bool isHeaderName(const std::string& name);

// Starts with ^ and ends with an unescaped $.
bool isAnchored(const std::string& pattern);

}  // namespace keyhop::registry
