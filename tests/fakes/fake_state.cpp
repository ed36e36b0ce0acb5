#include "tests/fakes/fake_state.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <iterator>

#include "tests/fakes/fake_http.hpp"

namespace keyhop::fakes {

namespace {

OAuthError invalidGrant(std::string description) {
  return {400, "invalid_grant", std::move(description)};
}

// RFC 7636 4.1: 43 to 128 characters of [A-Za-z0-9-._~].
bool isWellFormedVerifier(const std::string& verifier) {
  if (verifier.size() < 43 || verifier.size() > 128) return false;
  for (const char ch : verifier) {
    const auto c = static_cast<unsigned char>(ch);
    if (!std::isalnum(c) && c != '-' && c != '.' && c != '_' && c != '~') return false;
  }
  return true;
}

std::int64_t unixSeconds(Clock::time_point at) {
  return std::chrono::duration_cast<std::chrono::seconds>(at.time_since_epoch()).count();
}

}  // namespace

FakeState::FakeState(Options options)
    : options_(std::make_shared<const Options>(std::move(options))),
      random_(std::random_device{}()) {}

std::shared_ptr<const Options> FakeState::options() const {
  std::lock_guard lock(mutex_);
  return options_;
}

void FakeState::configure(const std::function<void(Options&)>& change) {
  std::lock_guard lock(mutex_);
  auto changed = std::make_shared<Options>(*options_);
  change(*changed);
  options_ = std::move(changed);
}

Clock::time_point FakeState::now() const {
  return Clock::now() + std::chrono::seconds(clock_offset_s_.load());
}

void FakeState::advanceClock(std::chrono::seconds by) { clock_offset_s_ += by.count(); }

void FakeState::sleepFor(std::chrono::milliseconds duration) {
  std::unique_lock lock(stop_mutex_);
  stop_cv_.wait_for(lock, duration, [this] { return stopping_; });
}

void FakeState::stop() {
  {
    std::lock_guard lock(stop_mutex_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
}

void FakeState::failNext(Endpoint endpoint, int count, CannedResponse response) {
  if (count <= 0) return;
  std::lock_guard lock(mutex_);
  failures_[endpoint].emplace_back(count, std::move(response));
}

std::optional<CannedResponse> FakeState::takeFailure(Endpoint endpoint) {
  std::lock_guard lock(mutex_);
  const auto it = failures_.find(endpoint);
  if (it == failures_.end() || it->second.empty()) return std::nullopt;
  auto& [remaining, response] = it->second.front();
  CannedResponse answer = response;
  if (--remaining == 0) it->second.pop_front();
  return answer;
}

Counters FakeState::counters() const {
  std::lock_guard lock(mutex_);
  return counters_;
}

void FakeState::resetCounters() {
  std::lock_guard lock(mutex_);
  counters_ = Counters{};
}

void FakeState::beginAnswer(Endpoint endpoint) {
  if (endpoint != Endpoint::Token) return;
  std::lock_guard lock(mutex_);
  counters_.token_peak_in_flight = std::max(counters_.token_peak_in_flight, ++token_in_flight_);
}

void FakeState::endAnswer(Endpoint endpoint) {
  if (endpoint != Endpoint::Token) return;
  std::lock_guard lock(mutex_);
  --token_in_flight_;
}

void FakeState::record(Endpoint endpoint, RecordedRequest request) {
  std::lock_guard lock(mutex_);
  last_requests_[endpoint] = std::move(request);
}

std::optional<RecordedRequest> FakeState::lastRequest(Endpoint endpoint) const {
  std::lock_guard lock(mutex_);
  const auto it = last_requests_.find(endpoint);
  if (it == last_requests_.end()) return std::nullopt;
  return it->second;
}

std::string FakeState::randomToken(const char* prefix) {
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%016llx%016llx", static_cast<unsigned long long>(random_()),
                static_cast<unsigned long long>(random_()));
  return prefix + std::string(buffer);
}

std::string FakeState::issueCode(CodeRequest request) {
  std::lock_guard lock(mutex_);
  std::string code = randomToken("code_");
  codes_[code] = Code{std::move(request), now() + options_->code_ttl, false};
  return code;
}

IssuedTokens FakeState::issueLocked(const std::string& user, const std::string& client_id,
                                    const std::string& scope, const std::string& code,
                                    bool with_refresh, const Options& options) {
  IssuedTokens issued;
  issued.user = user;
  issued.scope = options.granted_scope.empty() ? scope : options.granted_scope;
  issued.access_token = randomToken("at_");
  AccessToken access{user, client_id, code, std::nullopt, false};
  if (options.access_token_ttl.count() > 0) {
    access.expires_at = now() + options.access_token_ttl;
    issued.expires_in = options.access_token_ttl;
  }
  access_tokens_[issued.access_token] = std::move(access);
  if (with_refresh) {
    issued.refresh_token = randomToken("rt_");
    refresh_tokens_[issued.refresh_token] = RefreshToken{user, client_id, issued.scope, code, true};
  }
  return issued;
}

void FakeState::revokeFamilyLocked(const std::string& code) {
  for (auto& [token, access] : access_tokens_) {
    if (access.code == code) access.revoked = true;
  }
  for (auto& [token, refresh] : refresh_tokens_) {
    if (refresh.code == code) refresh.valid = false;
  }
}

GrantResult FakeState::redeemCode(const std::string& code, const std::string& client_id,
                                  const std::optional<std::string>& redirect_uri,
                                  const std::optional<std::string>& code_verifier) {
  std::lock_guard lock(mutex_);
  const auto options = options_;
  const auto it = codes_.find(code);
  if (it == codes_.end()) return {std::nullopt, invalidGrant("unknown authorization code")};
  Code& grant = it->second;
  if (grant.request.client_id != client_id) {
    return {std::nullopt, invalidGrant("the code was issued to another client")};
  }
  if (grant.used) {
    if (options->revoke_on_code_replay) revokeFamilyLocked(code);
    return {std::nullopt, invalidGrant("the code was already used")};
  }
  if (now() >= grant.expires_at) {
    return {std::nullopt, invalidGrant("the code expired")};
  }
  if (grant.request.redirect_uri && redirect_uri != grant.request.redirect_uri) {
    return {std::nullopt, invalidGrant("redirect_uri does not match the authorization request")};
  }
  if (!grant.request.code_challenge.empty()) {
    if (!code_verifier) return {std::nullopt, invalidGrant("code_verifier is missing")};
    if (!isWellFormedVerifier(*code_verifier)) {
      return {std::nullopt, invalidGrant("code_verifier is malformed")};
    }
    const std::string expected = grant.request.challenge_method == "plain"
                                     ? *code_verifier
                                     : pkceS256Challenge(*code_verifier);
    if (expected != grant.request.code_challenge) {
      return {std::nullopt, invalidGrant("code_verifier does not match the code_challenge")};
    }
  }
  grant.used = true;
  return {issueLocked(grant.request.user, client_id, grant.request.scope, code,
                      options->issue_refresh_tokens, *options),
          {}};
}

GrantResult FakeState::refresh(const std::string& refresh_token, const std::string& client_id) {
  std::lock_guard lock(mutex_);
  const auto options = options_;
  const auto it = refresh_tokens_.find(refresh_token);
  if (it == refresh_tokens_.end()) return {std::nullopt, invalidGrant("unknown refresh token")};
  if (!it->second.valid) {
    return {std::nullopt, invalidGrant("the refresh token was revoked or rotated")};
  }
  if (it->second.client_id != client_id) {
    return {std::nullopt, invalidGrant("the refresh token was issued to another client")};
  }
  const RefreshToken old = it->second;
  if (options->rotate_refresh_tokens) it->second.valid = false;
  return {issueLocked(old.user, old.client_id, old.scope, old.code, options->rotate_refresh_tokens,
                      *options),
          {}};
}

GrantResult FakeState::clientCredentials(const std::string& client_id, const std::string& scope) {
  std::lock_guard lock(mutex_);
  const auto options = options_;
  return {issueLocked(client_id, client_id, scope, "", false, *options), {}};
}

TokenPair FakeState::issueTokens(const std::string& user, const std::string& client_id) {
  std::lock_guard lock(mutex_);
  const auto options = options_;
  auto issued = issueLocked(user, client_id, "", "", options->issue_refresh_tokens, *options);
  return {issued.access_token, issued.refresh_token};
}

CredentialCheck FakeState::checkApiCredential(const std::optional<std::string>& credential) {
  std::lock_guard lock(mutex_);
  CredentialCheck check;
  if (!credential || credential->empty()) {
    check.problem = CredentialProblem::Missing;
  } else if (const auto it = access_tokens_.find(*credential); it == access_tokens_.end()) {
    check.problem = CredentialProblem::Unknown;
  } else if (it->second.revoked) {
    check.problem = CredentialProblem::Revoked;
  } else if (it->second.expires_at && now() >= *it->second.expires_at) {
    check.problem = CredentialProblem::Expired;
  } else {
    check.user = it->second.user;
    ++counters_.api_calls_by_token[*credential];
    return check;
  }
  ++counters_.api_rejected;
  return check;
}

void FakeState::addCredential(const std::string& credential, const std::string& user) {
  std::lock_guard lock(mutex_);
  access_tokens_[credential] = AccessToken{user, "", "", std::nullopt, false};
}

bool FakeState::expireToken(const std::string& access_token) {
  std::lock_guard lock(mutex_);
  const auto it = access_tokens_.find(access_token);
  if (it == access_tokens_.end()) return false;
  it->second.expires_at = now();
  return true;
}

bool FakeState::revokeToken(const std::string& token) {
  std::lock_guard lock(mutex_);
  if (const auto it = access_tokens_.find(token); it != access_tokens_.end()) {
    it->second.revoked = true;
    return true;
  }
  if (const auto it = refresh_tokens_.find(token); it != refresh_tokens_.end()) {
    it->second.valid = false;
    return true;
  }
  return false;
}

OAuth1Token FakeState::issueRequestToken(const std::string& consumer_key,
                                         const std::string& callback) {
  std::lock_guard lock(mutex_);
  OAuth1Token token{randomToken("rqt_"), randomToken("rqs_")};
  oauth1_tokens_[token.token] =
      OAuth1Entry{consumer_key, token.secret, false, callback, "", "", false};
  return token;
}

std::optional<std::string> FakeState::requestTokenCallback(const std::string& request_token) const {
  std::lock_guard lock(mutex_);
  const auto it = oauth1_tokens_.find(request_token);
  if (it == oauth1_tokens_.end() || it->second.access || it->second.used) return std::nullopt;
  return it->second.callback;
}

std::optional<OAuth1Approval> FakeState::approveRequestToken(const std::string& request_token,
                                                             const std::string& user) {
  std::lock_guard lock(mutex_);
  const auto it = oauth1_tokens_.find(request_token);
  if (it == oauth1_tokens_.end() || it->second.access || it->second.used) return std::nullopt;
  it->second.verifier = randomToken("ver_");
  it->second.user = user;
  return OAuth1Approval{it->second.callback, it->second.verifier};
}

OAuth1Exchange FakeState::exchangeRequestToken(const std::string& request_token,
                                               const std::string& consumer_key,
                                               const std::string& verifier) {
  std::lock_guard lock(mutex_);
  const auto it = oauth1_tokens_.find(request_token);
  if (it == oauth1_tokens_.end() || it->second.access || it->second.consumer_key != consumer_key) {
    return {std::nullopt, "", "token_rejected"};
  }
  OAuth1Entry& entry = it->second;
  if (entry.used) return {std::nullopt, "", "token_used"};
  if (entry.verifier.empty()) return {std::nullopt, "", "permission_unknown"};
  if (entry.verifier != verifier) return {std::nullopt, "", "verifier_invalid"};
  entry.used = true;
  const std::string user = entry.user;
  OAuth1Token access{randomToken("oat_"), randomToken("oas_")};
  oauth1_tokens_[access.token] =
      OAuth1Entry{consumer_key, access.secret, true, "", "", user, false};
  access_tokens_[access.token] = AccessToken{user, consumer_key, "", std::nullopt, false};
  return {access, user, ""};
}

OAuth1Token FakeState::issueOAuth1Token(const std::string& user, const std::string& consumer_key) {
  std::lock_guard lock(mutex_);
  OAuth1Token access{randomToken("oat_"), randomToken("oas_")};
  oauth1_tokens_[access.token] =
      OAuth1Entry{consumer_key, access.secret, true, "", "", user, false};
  access_tokens_[access.token] = AccessToken{user, consumer_key, "", std::nullopt, false};
  return access;
}

std::optional<std::string> FakeState::oauth1TokenSecret(const std::string& token,
                                                        const std::string& consumer_key,
                                                        bool access) const {
  std::lock_guard lock(mutex_);
  const auto it = oauth1_tokens_.find(token);
  if (it == oauth1_tokens_.end() || it->second.access != access ||
      it->second.consumer_key != consumer_key) {
    return std::nullopt;
  }
  return it->second.secret;
}

bool FakeState::useNonce(const std::string& consumer_key, const std::string& token,
                         std::int64_t timestamp, const std::string& nonce) {
  std::lock_guard lock(mutex_);
  // Nonces older than the timestamp window cannot come back (their timestamp is refused), so
  // they are forgotten once there are many, keeping a long benchmark's memory flat.
  if (nonces_.size() > 4096) {
    const std::int64_t oldest = unixSeconds(now()) - options_->timestamp_window.count();
    for (auto it = nonces_.begin(); it != nonces_.end();) {
      it = it->second < oldest ? nonces_.erase(it) : std::next(it);
    }
  }
  const std::string key =
      consumer_key + '\n' + token + '\n' + std::to_string(timestamp) + '\n' + nonce;
  return nonces_.emplace(key, timestamp).second;
}

}  // namespace keyhop::fakes
