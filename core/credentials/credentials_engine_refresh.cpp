// The refresh half of CredentialsEngine: what one refresh of one connection does, run by
// exactly one caller at a time per connection in this process (SingleFlight), and by one
// process at a time across processes sharing the store (the refresh lease).

#include <Poco/Logger.h>

#include <algorithm>
#include <thread>
#include <utility>

#include "core/credentials/credentials_engine.hpp"
#include "core/credentials/held_lease.hpp"
#include "core/flows/token_client.hpp"

namespace keyhop::credentials {
namespace {

Poco::Logger& log() { return Poco::Logger::get("keyhop.credentials"); }

}  // namespace

FreshResult CredentialsEngine::refresh(const ConnectionSnapshot& seen, bool force) {
  // Long enough to outwait a lease taken just before this refresh began, whose holder died;
  // a lease taken anew by yet another instance after that is not waited out.
  const Clock::time_point wait_until = Clock::now() + refresh_lease_ + lease_poll_;
  for (bool first = true;; first = false) {
    if (!first && Clock::now() >= wait_until) {
      return Failure{FailureKind::RefreshUnavailable,
                     "connection " + seen.connection_id +
                         " kept changing while it was being renewed; try again"};
    }
    // Start from the newest stored version: another writer (another instance, a reconnect) may
    // have renewed the token, and its refresh token is the only one the provider still takes.
    auto stored = store_.findConnection(seen.key);
    if (!stored) return notFound(seen.key);
    std::string raw_token_response = std::move(stored->raw_token_response);
    const SnapshotPtr current = remember(rebase(seen, std::move(*stored)));
    if (current->status != store::ConnectionStatus::Active) return needsReauth(*current);

    // A force asks to replace the token the caller saw; a newer stored one (or a connection
    // deleted and made again) already does.
    const bool replaced =
        current->version != seen.version || current->connection_id != seen.connection_id;
    const RefreshNeed need =
        refreshNeed(current->provider->spec, current->credentials, force && !replaced, now());
    if (need == RefreshNeed::None) return current;
    if (Step answer = withoutRenewal(current, need)) return std::move(*answer);
    if (Step answer = renewUnderLease(current, raw_token_response, need, wait_until)) {
      return std::move(*answer);
    }
  }
}

CredentialsEngine::Step CredentialsEngine::withoutRenewal(const SnapshotPtr& current,
                                                          RefreshNeed need) {
  const bool client_credentials = current->provider->spec.auth == AuthMode::OAuth2ClientCredentials;
  if (need == RefreshNeed::Soon && !client_credentials &&
      current->credentials.refresh_token.empty()) {
    return FreshResult(current);  // still valid: nothing to renew it with
  }
  if (const auto wait = backoff_.remaining(current->connection_id); wait.count() > 0) {
    if (need == RefreshNeed::Soon) return FreshResult(current);
    return FreshResult(Failure{FailureKind::RefreshUnavailable,
                               "a refresh of connection " + current->connection_id +
                                   " failed moments ago; the next attempt is in " +
                                   std::to_string(wait.count()) + " ms"});
  }
  return std::nullopt;
}

CredentialsEngine::Step CredentialsEngine::renewUnderLease(const SnapshotPtr& current,
                                                           const std::string& raw_token_response,
                                                           RefreshNeed need,
                                                           Clock::time_point wait_until) {
  for (;;) {
    const auto lease =
        store_.acquireRefreshLease(current->connection_id, current->version, refresh_lease_);
    switch (lease.outcome) {
      case store::LeaseOutcome::Acquired: {
        const HeldLease held(store_, current->connection_id, lease.owner);
        return renew(current, raw_token_response, need, held.owner());
      }
      case store::LeaseOutcome::NotFound:
        return notFound(current->key);
      case store::LeaseOutcome::VersionMismatch:
        return std::nullopt;
      case store::LeaseOutcome::Held:
        break;
    }
    // Another instance is renewing it: its result is a newer version, which the next attempt
    // sees as VersionMismatch. If it dies, its lease expires and the next attempt takes it over.
    if (need == RefreshNeed::Soon) return FreshResult(current);  // still valid meanwhile
    const auto left = wait_until - Clock::now();
    if (left <= Clock::duration::zero()) {
      return FreshResult(Failure{FailureKind::RefreshUnavailable,
                                 "another keyhop instance is renewing connection " +
                                     current->connection_id + "; try again"});
    }
    std::this_thread::sleep_for(std::min<Clock::duration>(
        {lease_poll_, lease.remaining + std::chrono::milliseconds(1), left}));
  }
}

CredentialsEngine::Step CredentialsEngine::renew(const SnapshotPtr& snapshot,
                                                 const std::string& raw_token_response,
                                                 RefreshNeed need, const std::string& lease_owner) {
  const ConnectionSnapshot& current = *snapshot;
  const ProviderSpec& spec = current.provider->spec;
  const bool client_credentials = spec.auth == AuthMode::OAuth2ClientCredentials;
  if (!client_credentials && current.credentials.refresh_token.empty()) {
    return markNeedsReauth(current, lease_owner,
                           "the access token expired or was rejected, and the provider "
                           "issued no refresh token");
  }

  Provider& hooks = *current.provider->hooks;
  const std::int64_t asked_at = now();
  const auto tokens =
      client_credentials
          ? flows::fetchClientCredentials(http_, spec, hooks, current.client, current.scopes,
                                          current.credentials.connection_fields)
          : flows::refreshTokens(http_, spec, hooks, current.client, current.credentials);
  if (!tokens) return refreshFailed(snapshot, need, tokens.failure(), lease_owner);

  // Committed before anyone sees it: with rotation the old refresh token is dead from now on.
  Credentials renewed = withTokens(current.credentials, tokens.value(), asked_at);
  const auto written =
      store_.updateCredentials(current.connection_id, current.version, renewed, raw_token_response);
  if (!written) {
    if (written.failure == store::WriteFailure::NotFound) return notFound(current.key);
    log().information("connection " + current.connection_id +
                      " was renewed by another writer meanwhile; using the stored credentials");
    return std::nullopt;
  }
  backoff_.succeeded(current.connection_id);
  auto fresh = std::make_shared<ConnectionSnapshot>(current);
  fresh->version = *written.value;
  fresh->credentials = std::move(renewed);
  log().information("renewed the access token of connection " + current.connection_id +
                    (client_credentials ? " (client credentials)" : " (refresh)"));
  return FreshResult(remember(std::move(fresh)));
}

CredentialsEngine::Step CredentialsEngine::refreshFailed(const SnapshotPtr& snapshot,
                                                         RefreshNeed need,
                                                         const flows::FlowFailure& failure,
                                                         const std::string& lease_owner) {
  const ConnectionSnapshot& current = *snapshot;
  if (failure.kind == flows::FailureKind::InvalidGrant) {
    return markNeedsReauth(current, lease_owner, "refresh refused: " + failure.message);
  }
  // Nothing says the end user's grant is gone: the connection stays active with its refresh
  // token, and the next attempt waits.
  backoff_.failed(current.connection_id);
  log().warning("refresh of connection " + current.connection_id + " failed (" +
                flows::toString(failure.kind) + "): " + failure.message);
  if (need == RefreshNeed::Soon) return FreshResult(snapshot);  // still valid until it expires
  switch (failure.kind) {
    case flows::FailureKind::Transient:
    case flows::FailureKind::InvalidResponse:
      return FreshResult(Failure{
          FailureKind::RefreshUnavailable,
          "the provider could not renew the token now; try again later: " + failure.message});
    case flows::FailureKind::InvalidClient:
      return FreshResult(Failure{
          FailureKind::InvalidClient,
          "the provider refused the integration's client id or secret: " + failure.message});
    default:
      return FreshResult(Failure{FailureKind::RefreshRejected,
                                 "the provider refused to renew the token: " + failure.message});
  }
}

CredentialsEngine::Step CredentialsEngine::markNeedsReauth(const ConnectionSnapshot& current,
                                                           const std::string& lease_owner,
                                                           const std::string& reason) {
  const auto marked =
      store_.markNeedsReauth(current.connection_id, current.version, lease_owner, reason);
  if (!marked) {
    if (marked.failure == store::WriteFailure::NotFound) return notFound(current.key);
    // Another writer renewed it meanwhile (the refresh token refused was already replaced), or
    // this refresh outlasted its lease and another instance's outcome is the one that counts.
    log().information("connection " + current.connection_id +
                      " was renewed by another writer meanwhile; not marking it");
    return std::nullopt;
  }
  log().warning("connection " + current.connection_id + " needs re-authorization: " + reason);
  auto snapshot = std::make_shared<ConnectionSnapshot>(current);
  snapshot->version = *marked.value;
  snapshot->status = store::ConnectionStatus::NeedsReauth;
  snapshot->status_reason = reason;
  return FreshResult(needsReauth(*remember(std::move(snapshot))));
}

}  // namespace keyhop::credentials
