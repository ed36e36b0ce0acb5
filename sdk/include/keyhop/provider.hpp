#pragma once

// The hooks a plugin overrides for a provider quirk that no descriptor field covers. Every hook
// has a default that declines, and "declined" means the core does the generic thing. Hooks are
// noexcept and report through their return value: no exception crosses the plugin boundary.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keyhop/provider_spec.hpp"

namespace keyhop {

enum class HookStatus {
  Declined,  // not handled: the core does the generic thing
  Done,      // handled: the out parameters hold the result
  Failed,    // handled and wrong: the `error` out parameter (where there is one) says why
};

struct Header {
  std::string name;
  std::string value;
};
using HeaderList = std::vector<Header>;

// A provider's answer, read-only. The views are valid for the duration of the hook call.
struct ResponseView {
  int status = 0;
  const HeaderList& headers;
  std::string_view body;
};

// A request keyhop is about to send to the provider's API; a stamp hook may change any part.
struct OutgoingRequest {
  std::string method;
  std::string url;  // absolute, with query
  HeaderList headers;
  std::string_view body;
};

// What a token endpoint answered, in the core's terms.
struct TokenSet {
  std::string access_token;
  std::string refresh_token;
  std::string token_secret;  // OAuth 1.0a
  std::string scope;
  std::optional<std::int64_t> expires_in_s;  // empty: never expires
  std::map<std::string, std::string> captured;
};

// The OAuth app registration of the account's integration.
struct ClientRegistration {
  std::string client_id;
  std::string client_secret;
};

// Everything a connection holds, decrypted, for the duration of a hook call.
struct Credentials {
  std::string access_token;
  std::string refresh_token;
  std::string token_secret;
  std::string api_key;
  std::string username;
  std::string password;
  std::optional<std::int64_t> expires_at;  // unix seconds; empty: never expires
  std::map<std::string, std::string> captured;
  std::map<std::string, std::string> connection_fields;
};

struct AuthorizeRequest {
  ClientRegistration client;  // client_secret is left empty: an authorize URL never needs it
  std::string redirect_uri;
  std::string state;
  std::vector<std::string> scopes;
  std::string code_challenge;  // S256; empty when PKCE is off
  std::map<std::string, std::string> connection_fields;
};

class Provider {
 public:
  virtual ~Provider() = default;

  // Reads a token endpoint's answer that the descriptor's token_response paths cannot describe.
  virtual HookStatus parseTokenResponse(const ProviderSpec& /*spec*/,
                                        const ResponseView& /*response*/, TokenSet& /*tokens*/,
                                        std::string& /*error*/) noexcept {
    return HookStatus::Declined;
  }

  // Puts the credential on an API call when neither a header nor a query parameter will do.
  virtual HookStatus stampRequest(const ProviderSpec& /*spec*/,
                                  const ClientRegistration& /*client*/,
                                  const Credentials& /*credentials*/,
                                  OutgoingRequest& /*request*/) noexcept {
    return HookStatus::Declined;
  }

  // Says whether a response means "credential rejected" when the status code does not (an
  // HTTP 200 with an error body). Sets `rejected` and returns Done when it decides.
  virtual HookStatus recognizeAuthFailure(const ProviderSpec& /*spec*/,
                                          const ResponseView& /*response*/,
                                          bool& /*rejected*/) noexcept {
    return HookStatus::Declined;
  }

  // Builds the provider's authorize URL when the standard query parameters will not do.
  virtual HookStatus buildAuthorizeUrl(const ProviderSpec& /*spec*/,
                                       const AuthorizeRequest& /*request*/,
                                       std::string& /*url*/) noexcept {
    return HookStatus::Declined;
  }
};

}  // namespace keyhop
