#pragma once

// A provider's definition as plain data: what a descriptor in providers.d/ says, after the
// core has validated it. Field names follow the descriptor's keys (docs/descriptors.md).
// Strings that hold templates (`${connection.x}`, `${credentials.y}`, `${access_token}`) are
// kept raw; the core fills them per connection.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace keyhop {

enum class AuthMode { OAuth2, OAuth2ClientCredentials, OAuth1, ApiKey, Basic };

// How the client authenticates at the token endpoint (RFC 6749 section 2.3.1).
enum class ClientAuth { ClientSecretPost, ClientSecretBasic };

enum class BodyEncoding { Form, Json };

enum class ExpiresInUnit { Seconds, Milliseconds };

enum class Oauth1Signature { HmacSha1, HmacSha256, Plaintext };

struct Scopes {
  std::vector<std::string> defaults;
  std::string separator = " ";
};

struct TokenRequest {
  ClientAuth auth = ClientAuth::ClientSecretPost;
  BodyEncoding body = BodyEncoding::Form;
};

// Dotted paths into the token response (`authed_user.access_token`).
struct TokenResponseFields {
  std::string access_token = "access_token";
  std::string refresh_token = "refresh_token";
  std::string expires_in = "expires_in";
  std::string scope = "scope";
  ExpiresInUnit expires_in_unit = ExpiresInUnit::Seconds;
  // Lifetime in seconds when the response has no expires_in; empty means the token never expires.
  std::optional<std::int64_t> expires_in_default;
  // credentials.<key> <- value at the dotted path.
  std::map<std::string, std::string> capture;
};

struct RefreshPolicy {
  bool rotates_refresh_token = false;
  std::int64_t margin_s = 300;
  // Refresh at least this often so an unused refresh token does not expire; 0 turns it off.
  std::int64_t keepalive_days = 0;
};

// One call after the code exchange whose answer fills connection fields (Mailchimp's data
// centre). The call is stamped like an API call.
struct PostConnectCall {
  std::string method = "GET";
  std::string url;
  std::map<std::string, std::string> capture;  // connection.<key> <- value at the dotted path
};

struct Oauth1Settings {
  std::string request_url;
  Oauth1Signature signature = Oauth1Signature::HmacSha1;
};

// A value the end user supplies when connecting (a subdomain, a region).
struct ConnectionField {
  std::string name;
  std::string pattern;  // ECMAScript regex anchored with ^ and $
  std::optional<std::string> default_value;
};

// Where the credential goes on an outgoing API call. Exactly one of header or query is set;
// neither is set for auth: oauth1, whose calls are signed instead.
struct Stamp {
  std::string header;
  std::string query;
  std::string format;  // e.g. "Bearer ${access_token}"
};

struct ApiSettings {
  std::string base_url;
  Stamp stamp;
  std::map<std::string, std::string> headers;
  std::vector<int> auth_failure_status = {401};
  std::vector<std::string> retry_after_headers = {"Retry-After"};
};

struct ProviderSpec {
  std::string id;
  std::string name;
  std::string docs;
  AuthMode auth = AuthMode::OAuth2;
  std::string authorize_url;
  std::string token_url;
  std::string refresh_url;  // empty: token_url
  // RFC 9207: when set, a callback that carries `iss` must carry this value.
  std::string issuer;
  Scopes scopes;
  std::map<std::string, std::string> authorize_params;
  std::map<std::string, std::string> token_params;
  std::map<std::string, std::string> refresh_params;
  TokenRequest token_request;
  bool pkce = true;
  std::vector<std::string> callback_capture;
  TokenResponseFields token_response;
  RefreshPolicy refresh;
  std::optional<PostConnectCall> post_connect;
  std::optional<Oauth1Settings> oauth1;
  std::vector<ConnectionField> connection_fields;
  ApiSettings api;
};

}  // namespace keyhop
