#pragma once

// Everything the fake provider remembers, behind one mutex: options, codes, tokens, OAuth1
// tokens and nonces, counters, injected failures. The endpoints translate HTTP to these calls;
// the rules real providers apply to codes and tokens live here.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <utility>

#include "tests/fakes/fake_provider.hpp"

namespace keyhop::fakes {

using Clock = std::chrono::system_clock;

struct OAuthError {
  int status = 400;
  std::string code;         // invalid_grant, invalid_client, ...
  std::string description;  // for a human reading a failed test
};

struct IssuedTokens {
  std::string access_token;
  std::string refresh_token;  // empty: none in the answer
  std::string scope;
  std::string user;
  std::optional<std::chrono::seconds> expires_in;  // empty: never expires
};

// Either tokens or an error.
struct GrantResult {
  std::optional<IssuedTokens> tokens;
  OAuthError error;
};

struct CodeRequest {
  std::string client_id;
  std::optional<std::string> redirect_uri;  // as sent to the authorize endpoint
  std::string code_challenge;               // empty: no PKCE
  std::string challenge_method;             // S256 or plain
  std::string user;
  std::string scope;
};

enum class CredentialProblem { None, Missing, Unknown, Expired, Revoked };

struct CredentialCheck {
  CredentialProblem problem = CredentialProblem::None;
  std::string user;
};

struct OAuth1Approval {
  std::string callback;
  std::string verifier;
};

// Either an access token or an oauth_problem (RFC 5849 has no error codes; real providers use
// the OAuth Problem Reporting extension's names).
struct OAuth1Exchange {
  std::optional<OAuth1Token> token;
  std::string user;
  std::string problem;
};

class FakeState final {
 public:
  explicit FakeState(Options options);

  std::shared_ptr<const Options> options() const;
  void configure(const std::function<void(Options&)>& change);

  Clock::time_point now() const;
  void advanceClock(std::chrono::seconds by);

  // Sleeps unless stop() is called meanwhile, so a slow answer never holds up shutdown.
  void sleepFor(std::chrono::milliseconds duration);
  void stop();

  void failNext(Endpoint endpoint, int count, CannedResponse response);
  std::optional<CannedResponse> takeFailure(Endpoint endpoint);

  template <typename Change>
  void count(Change&& change) {
    std::lock_guard lock(mutex_);
    change(counters_);
  }
  Counters counters() const;
  void resetCounters();
  // A request to `endpoint` starts / ends being answered: Counters::token_peak_in_flight.
  void beginAnswer(Endpoint endpoint);
  void endAnswer(Endpoint endpoint);

  void record(Endpoint endpoint, RecordedRequest request);
  std::optional<RecordedRequest> lastRequest(Endpoint endpoint) const;

  // OAuth2.
  std::string issueCode(CodeRequest request);
  GrantResult redeemCode(const std::string& code, const std::string& client_id,
                         const std::optional<std::string>& redirect_uri,
                         const std::optional<std::string>& code_verifier);
  GrantResult refresh(const std::string& refresh_token, const std::string& client_id);
  GrantResult clientCredentials(const std::string& client_id, const std::string& scope);
  TokenPair issueTokens(const std::string& user, const std::string& client_id);

  // The protected API's view of a presented credential; counts it as rejected or by token.
  CredentialCheck checkApiCredential(const std::optional<std::string>& credential);
  void addCredential(const std::string& credential, const std::string& user);
  bool expireToken(const std::string& access_token);
  bool revokeToken(const std::string& token);

  // OAuth 1.0a.
  OAuth1Token issueRequestToken(const std::string& consumer_key, const std::string& callback);
  std::optional<std::string> requestTokenCallback(const std::string& request_token) const;
  std::optional<OAuth1Approval> approveRequestToken(const std::string& request_token,
                                                    const std::string& user);
  OAuth1Exchange exchangeRequestToken(const std::string& request_token,
                                      const std::string& consumer_key, const std::string& verifier);
  OAuth1Token issueOAuth1Token(const std::string& user, const std::string& consumer_key);
  // The secret of a token `consumer_key` holds: a request token when `access` is false.
  std::optional<std::string> oauth1TokenSecret(const std::string& token,
                                               const std::string& consumer_key, bool access) const;
  // False when the nonce was seen before with the same consumer, token and timestamp.
  bool useNonce(const std::string& consumer_key, const std::string& token, std::int64_t timestamp,
                const std::string& nonce);

 private:
  struct Code {
    CodeRequest request;
    Clock::time_point expires_at;
    bool used = false;
  };
  struct AccessToken {
    std::string user;
    std::string client_id;
    std::string code;  // the code it descends from, for revocation on replay
    std::optional<Clock::time_point> expires_at;
    bool revoked = false;
  };
  struct RefreshToken {
    std::string user;
    std::string client_id;
    std::string scope;
    std::string code;
    bool valid = true;
  };
  struct OAuth1Entry {
    std::string consumer_key;
    std::string secret;
    bool access = false;
    std::string callback;  // request tokens
    std::string verifier;  // set once approved
    std::string user;
    bool used = false;
  };

  std::string randomToken(const char* prefix);
  IssuedTokens issueLocked(const std::string& user, const std::string& client_id,
                           const std::string& scope, const std::string& code, bool with_refresh,
                           const Options& options);
  void revokeFamilyLocked(const std::string& code);

  mutable std::mutex mutex_;
  std::shared_ptr<const Options> options_;
  std::atomic<std::int64_t> clock_offset_s_{0};
  std::mt19937_64 random_;
  Counters counters_;
  int token_in_flight_ = 0;  // not a counter: a reset must not forget requests being answered
  std::map<Endpoint, std::deque<std::pair<int, CannedResponse>>> failures_;  // count, answer
  std::map<Endpoint, RecordedRequest> last_requests_;
  std::unordered_map<std::string, Code> codes_;
  std::unordered_map<std::string, AccessToken> access_tokens_;
  std::unordered_map<std::string, RefreshToken> refresh_tokens_;
  std::unordered_map<std::string, OAuth1Entry> oauth1_tokens_;
  std::unordered_map<std::string, std::int64_t> nonces_;  // key -> its timestamp

  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
};

}  // namespace keyhop::fakes
