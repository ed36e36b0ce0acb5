#pragma once

// Percent-encoding for the URLs and bodies the flows send (RFC 3986 section 2, and the
// application/x-www-form-urlencoded variant of the WHATWG URL standard).

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace keyhop::flows {

// Name/value pairs in order; a name may repeat.
using Params = std::vector<std::pair<std::string, std::string>>;

// Every byte but ALPHA, DIGIT, '-', '.', '_', '~' as %XX (upper-case hex). Safe in any URL
// component, and exactly RFC 5849's encoding for OAuth 1.0a.
std::string percentEncode(std::string_view text);

// Form encoding: as percentEncode, but a space becomes '+'.
std::string formEncode(std::string_view text);

// name=value&... with formEncode on both.
std::string encodeForm(const Params& params);

// Decodes %XX (and '+' as a space when `plus_is_space`); empty on a malformed escape.
std::optional<std::string> percentDecode(std::string_view text, bool plus_is_space);

// Parses name=value&... (a query or a form body); empty on a malformed escape.
std::optional<Params> parseForm(std::string_view text);

// Appends `params`, percentEncoded (a space as %20, which every server reads), to `url`'s query,
// keeping a query the URL already has, before any fragment.
std::string appendQuery(const std::string& url, const Params& params);

}  // namespace keyhop::flows
