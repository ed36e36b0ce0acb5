#pragma once

// Small text helpers of the fake provider: forms, percent-decoding, Basic credentials, digests.

#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace keyhop::fakes {

// Decoded name/value pairs in order; a name may repeat.
using FormParams = std::vector<std::pair<std::string, std::string>>;

// %XX decoding; with `plus_as_space`, '+' is a space (forms). Empty on a malformed escape.
std::optional<std::string> percentDecode(std::string_view text, bool plus_as_space);

// application/x-www-form-urlencoded (also a URL's query). Empty on a malformed escape.
std::optional<FormParams> parseForm(std::string_view text);

// Encodes every byte but RFC 3986's unreserved ones, so the result is a valid form and query.
std::string encodeForm(const FormParams& params);

// The first value of `name`, if any.
std::optional<std::string> findParam(const FormParams& params, std::string_view name);

// `url` with `params` appended to its query (after '?' or '&').
std::string withQuery(const std::string& url, const FormParams& params);

// "Basic base64(user:password)" -> {user, password}, undecoded otherwise. Empty when the value
// is not Basic or not base64 of a string with a ':'.
std::optional<std::pair<std::string, std::string>> parseBasicCredentials(std::string_view value);

bool startsWithNoCase(std::string_view text, std::string_view prefix);

std::string sha256Hex(std::string_view data);

// Reads `in` to its end: the text while it is at most `keep` bytes (else empty), its size
// and SHA-256 (hex) in any case.
struct ReadBody {
  std::string text;
  std::uint64_t size = 0;
  std::string sha256;
};
ReadBody readBody(std::istream& in, std::size_t keep);

// RFC 7636 4.2: BASE64URL(SHA256(verifier)) without padding.
std::string pkceS256Challenge(std::string_view verifier);

}  // namespace keyhop::fakes
