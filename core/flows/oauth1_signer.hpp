#pragma once

// OAuth 1.0a request signing (RFC 5849 section 3). The fake provider has its own verifier on
// purpose (tests/fakes/oauth1_signature.hpp): neither may borrow the other's code.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/flows/url_encoding.hpp"
#include "keyhop/provider_spec.hpp"

namespace keyhop::flows::oauth1 {

// RFC 5849 3.4.1.2: lower-case scheme and host, the port only when not the scheme's default,
// the path without query or fragment ("/" when empty). Empty when `url` is not absolute.
std::string baseStringUri(std::string_view url);

// The query of `url`, decoded as a form (RFC 5849 3.4.1.3.1); empty when it has none.
Params queryParams(std::string_view url);

// RFC 5849 3.4.1.3.2: encode names and values, sort by name then value, join as n=v with '&'.
std::string normalizeParameters(const Params& params);

// RFC 5849 3.4.1.1: METHOD & encode(base string URI) & encode(normalized parameters). `params`
// holds the query, form body and oauth_* protocol parameters, without oauth_signature or realm.
std::string signatureBaseString(std::string_view method, std::string_view base_uri,
                                const Params& params);

// RFC 5849 3.4.2-3.4.4: base64(HMAC(encode(consumer secret) & encode(token secret), base))
// for the HMAC methods; the key itself for PLAINTEXT.
std::string sign(Oauth1Signature method, std::string_view base_string,
                 std::string_view consumer_secret, std::string_view token_secret);

const char* methodName(Oauth1Signature method);

// RFC 5849 3.5.1: `OAuth k="v", ...` with names and values encoded, in the given order.
std::string authorizationHeader(const Params& oauth_params);

struct Signer {
  Oauth1Signature method = Oauth1Signature::HmacSha1;
  std::string consumer_key;
  std::string consumer_secret;
  std::string token;         // empty for the request-token call
  std::string token_secret;  // empty for the request-token call
};

// Protocol parameters beyond the standard ones (oauth_callback, oauth_verifier) and the
// per-request values; tests fix nonce and timestamp, callers use freshRequestValues().
struct RequestValues {
  Params extra_oauth;
  std::string nonce;
  std::int64_t timestamp = 0;
};

// A random nonce (128 bits, hex) and the current time.
RequestValues freshRequestValues(Params extra_oauth = {});

// The Authorization header value for `method` `url` with `form_body` (the decoded parameters of
// an application/x-www-form-urlencoded body; empty for other bodies). The protocol parameters
// are oauth_consumer_key, oauth_nonce, oauth_signature_method, oauth_timestamp, oauth_token
// (when set) and `values.extra_oauth`; oauth_version is optional (RFC 5849 3.1) and left out.
std::string authorize(const Signer& signer, std::string_view method, std::string_view url,
                      const Params& form_body, const RequestValues& values);

}  // namespace keyhop::flows::oauth1
