#pragma once

// A fake OAuth provider: a real HTTP server on 127.0.0.1 that behaves like real providers do
// (single-use codes, PKCE, rotating refresh tokens, expiring access tokens, odd response shapes,
// OAuth 1.0a signatures), so keyhop's flows, refresh and proxy can be tested end to end without
// the internet. Every behaviour is an option a test can change while the server runs; counters
// say exactly what a client did. See tests/fakes/README.md.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "keyhop/provider.hpp"

namespace keyhop::fakes {

enum class Endpoint {
  Authorize,           // GET /oauth/authorize
  Token,               // POST /oauth/token
  Api,                 // ANY /api/...
  OAuth1RequestToken,  // POST /oauth1/request_token
  OAuth1Authorize,     // GET /oauth1/authorize
  OAuth1AccessToken,   // POST /oauth1/access_token
};

enum class ClientAuth { Any, Basic, Post };  // how the token endpoint wants the client
enum class BodyFormat { Any, Form, Json };   // which token request bodies it accepts
enum class ResponseFormat { Json, Form, FormUnlessAcceptJson };  // the last is GitHub's
enum class PkcePolicy { Optional, Required, Rejected };
enum class ApiAuth { Bearer, Header, Query, Basic, OAuth1 };  // how the API wants the credential

struct Client {
  std::string id;
  std::string secret;                      // empty: a public client, no secret checked
  std::vector<std::string> redirect_uris;  // empty: any redirect_uri is accepted
};

struct ExtraField {
  std::string path;  // dotted: "team.id" nests {"team":{"id":...}} in a JSON answer
  std::string value;
};

struct CannedResponse {
  int status = 200;
  HeaderList headers;  // added as given: a name may repeat (Set-Cookie)
  std::string body;
};

struct Options {
  // Registered OAuth2 clients; they are also the OAuth1 consumers (id = consumer key).
  std::vector<Client> clients{{"client-id", "client-secret", {}}};

  // Authorize endpoints (OAuth2 and OAuth1).
  std::string user = "user-1";  // who approves; tokens are issued for this user
  bool deny = false;            // the user says no: error=access_denied (OAuth1: denied=)
  std::vector<std::pair<std::string, std::string>> callback_params;  // realmId, iss, ...
  PkcePolicy pkce = PkcePolicy::Optional;
  std::chrono::seconds code_ttl{600};

  // Token endpoint.
  ClientAuth client_auth = ClientAuth::Any;
  BodyFormat token_body = BodyFormat::Any;
  std::chrono::seconds access_token_ttl{3600};  // 0: tokens never expire, no expires_in
  bool issue_refresh_tokens = true;
  bool rotate_refresh_tokens = false;  // off: a refresh answer carries no refresh_token
  bool revoke_on_code_replay = true;   // a replayed code revokes what it issued (RFC 6749 4.1.2)
  std::string granted_scope;           // empty: the scope asked for

  // Token response quirks.
  ResponseFormat response_format = ResponseFormat::Json;
  std::string nest_tokens_under;  // "authed_user": token fields in that sub-object (Slack)
  // Where a token field goes, by its standard name: {"scope", "scopes"} (Bitbucket),
  // {"access_token", "authed_user.access_token"}; a dotted path nests. Wins over
  // nest_tokens_under for the fields it names.
  std::map<std::string, std::string> token_field_paths;
  bool omit_expires_in = false;  // expires_in left out, the token still expires
  bool expires_in_ms = false;
  bool token_errors_as_200 = false;  // GitHub: 200 {"error":"bad_verification_code"}
  bool slack_style = false;  // "ok" in bodies; errors, API auth failures too, are 200 ok:false
  bool garbage_token_body = false;       // every token answer is 200 with an unparsable body
  std::vector<ExtraField> extra_fields;  // added to token answers (OAuth1 access token too)
  std::map<Endpoint, std::chrono::milliseconds> delays;  // slow answers
  // A delayed request whose client hangs up (or dies) during the delay is dropped before it
  // has any effect: no refresh token consumed, nothing issued or counted (a server that cancels
  // a request's work when its client leaves). Off: processed anyway, as many servers do.
  bool cancel_when_client_leaves = false;

  // OAuth 1.0a.
  std::chrono::seconds timestamp_window{300};

  // Protected API.
  ApiAuth api_auth = ApiAuth::Bearer;
  std::string api_header = "X-Api-Key";    // ApiAuth::Header: carries the bare credential
  std::string api_query = "access_token";  // ApiAuth::Query
  std::map<std::string, CannedResponse> api_responses;  // exact path -> answer, once authorized
};

// Fixed for the server's life.
struct ServerParams {
  std::uint16_t port = 0;
  int threads = 128;  // one per kept-alive connection: clients beyond it wait
};

struct Counters {
  int authorize = 0;           // GET /oauth/authorize
  int token_requests = 0;      // every request to /oauth/token
  int code_exchanges = 0;      // grant_type=authorization_code, answered well or not
  int refreshes = 0;           // grant_type=refresh_token
  int client_credentials = 0;  // grant_type=client_credentials
  int token_errors = 0;        // token answers that were errors (injected ones too)
  // The most requests to /oauth/token it was answering at once (delays included).
  int token_peak_in_flight = 0;
  int oauth1_request_tokens = 0;
  int oauth1_authorize = 0;
  int oauth1_access_tokens = 0;
  int api_calls = 0;     // every request under /api/
  int api_rejected = 0;  // ... answered "credential missing, unknown or expired"
  std::map<std::string, int> api_calls_by_token;  // accepted calls, by credential
};

struct RecordedRequest {
  std::string method;
  std::string target;  // path and query, as sent
  HeaderList headers;
  std::string body;
};

struct TokenPair {
  std::string access_token;
  std::string refresh_token;  // empty when refresh tokens are off
};

struct OAuth1Token {
  std::string token;
  std::string secret;
};

class FakeState;

class FakeProvider final {
 public:
  // Starts serving on 127.0.0.1 before it returns; throws when it cannot bind.
  explicit FakeProvider(Options options = {}, ServerParams params = {});
  ~FakeProvider();  // stops serving, closing kept-alive connections
  FakeProvider(const FakeProvider&) = delete;
  FakeProvider& operator=(const FakeProvider&) = delete;

  std::uint16_t port() const;
  std::string url() const;  // "http://127.0.0.1:<port>"

  Options options() const;
  // Applies `change` to a copy of the options and swaps it in: requests in flight keep the old.
  void configure(const std::function<void(Options&)>& change);

  // The next `count` requests to `endpoint` get `response` instead of their answer (after being
  // counted): 500s, 429 with Retry-After, ...
  void failNext(Endpoint endpoint, int count, CannedResponse response);

  Counters counters() const;
  void resetCounters();
  // The last request to an endpoint other than Api (the API echoes what it got instead).
  std::optional<RecordedRequest> lastRequest(Endpoint endpoint) const;

  // Seeds tokens as if `user` had authorized `client_id`; the access token has the options' TTL.
  TokenPair issueTokens(const std::string& user, const std::string& client_id = "client-id");
  // A credential the API accepts forever: an API key, or "user:password" for ApiAuth::Basic.
  void addCredential(const std::string& credential, const std::string& user);
  // An OAuth1 access token for `consumer_key`, as after a three-legged flow.
  OAuth1Token issueOAuth1Token(const std::string& user,
                               const std::string& consumer_key = "client-id");
  // Makes an access token expired from now on; false when it is unknown.
  bool expireToken(const std::string& access_token);
  // Revokes an access or refresh token; false when it is unknown.
  bool revokeToken(const std::string& token);

  // Moves the fake's clock (token and code expiry, OAuth1 timestamps); negative moves it back.
  void advanceClockForTest(std::chrono::seconds by);

 private:
  struct Server;
  std::unique_ptr<FakeState> state_;
  std::unique_ptr<Server> server_;  // declared after state_: its threads use the state
};

}  // namespace keyhop::fakes
