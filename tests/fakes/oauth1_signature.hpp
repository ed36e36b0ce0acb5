#pragma once

// The RFC 5849 (OAuth 1.0a) signing primitives the fake provider verifies requests with. Kept
// apart from the product's own signer on purpose: a test double that shared the code under test
// would agree with its bugs.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace keyhop::fakes::oauth1 {

// Decoded name/value pairs in the order they were found; a name may repeat.
using Params = std::vector<std::pair<std::string, std::string>>;

// RFC 5849 3.6: every byte but ALPHA, DIGIT, '-', '.', '_', '~' as %XX with upper-case hex.
std::string percentEncode(std::string_view text);

// RFC 5849 3.4.1.2: lower-case scheme and host, the port only when it is not the scheme's
// default, then the path without query. `host` is a Host header value ("Example.com:8080").
std::string baseStringUri(std::string_view scheme, std::string_view host, std::string_view path);

// RFC 5849 3.4.1.3.2: encode each name and value, sort by name then value, join with '&'.
std::string normalizeParameters(const Params& params);

// RFC 5849 3.4.1.1: METHOD&encoded-uri&encoded-normalized-parameters. `params` holds every
// parameter from the query, a form body and the Authorization header, without oauth_signature
// and realm.
std::string signatureBaseString(std::string_view method, std::string_view base_uri,
                                const Params& params);

// RFC 5849 3.4.2: base64(HMAC-SHA1(encode(consumer_secret) & encode(token_secret), base)).
std::string hmacSha1Signature(std::string_view base_string, std::string_view consumer_secret,
                              std::string_view token_secret);

// RFC 5849 3.5.1: the parameters of an `Authorization: OAuth k="v", ...` header, decoded.
// Empty when the header is not of that scheme or is malformed.
std::optional<Params> parseAuthorizationHeader(std::string_view header);

// The reverse of parseAuthorizationHeader, for clients the tests play.
std::string authorizationHeader(const Params& oauth_params);

}  // namespace keyhop::fakes::oauth1
