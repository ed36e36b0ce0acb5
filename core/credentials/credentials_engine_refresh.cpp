// The refresh half of CredentialsEngine: what one refresh of one connection does, run by
// exactly one caller at a time per connection (SingleFlight); the others wait for its result.

#include <Poco/Logger.h>

#include <utility>

#include "core/credentials/credentials_engine.hpp"
#include "core/flows/token_client.hpp"

namespace keyhop::credentials {
namespace {

Poco::Logger& log() { return Poco::Logger::get("keyhop.credentials"); }

}  // namespace

FreshResult CredentialsEngine::refresh(const ConnectionSnapshot& seen, bool force) {
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
  return renew(current, raw_token_response, need);
}

FreshResult CredentialsEngine::renew(const SnapshotPtr& snapshot,
                                     const std::string& raw_token_response, RefreshNeed need) {
  const ConnectionSnapshot& current = *snapshot;
  const ProviderSpec& spec = current.provider->spec;
  const bool client_credentials = spec.auth == AuthMode::OAuth2ClientCredentials;
  if (!client_credentials && current.credentials.refresh_token.empty()) {
    if (need == RefreshNeed::Soon) return snapshot;  // still valid: nothing to renew it with
    return markNeedsReauth(current,
                           "the access token expired or was rejected, and the provider "
                           "issued no refresh token");
  }
  if (const auto wait = backoff_.remaining(current.connection_id); wait.count() > 0) {
    if (need == RefreshNeed::Soon) return snapshot;
    return Failure{FailureKind::RefreshUnavailable,
                   "a refresh of connection " + current.connection_id +
                       " failed moments ago; the next attempt is in " +
                       std::to_string(wait.count()) + " ms"};
  }

  Provider& hooks = *current.provider->hooks;
  const std::int64_t asked_at = now();
  const auto tokens =
      client_credentials
          ? flows::fetchClientCredentials(http_, spec, hooks, current.client, current.scopes,
                                          current.credentials.connection_fields)
          : flows::refreshTokens(http_, spec, hooks, current.client, current.credentials);
  if (!tokens) return refreshFailed(snapshot, need, tokens.failure());

  // Committed before anyone sees it: with rotation the old refresh token is dead from now on.
  Credentials renewed = withTokens(current.credentials, tokens.value(), asked_at);
  const auto written =
      store_.updateCredentials(current.connection_id, current.version, renewed, raw_token_response);
  if (!written) {
    if (written.failure == store::WriteFailure::NotFound) return notFound(current.key);
    log().information("connection " + current.connection_id +
                      " was renewed by another writer meanwhile; using the stored credentials");
    return adoptStored(current);
  }
  backoff_.succeeded(current.connection_id);
  auto fresh = std::make_shared<ConnectionSnapshot>(current);
  fresh->version = *written.value;
  fresh->credentials = std::move(renewed);
  log().information("renewed the access token of connection " + current.connection_id +
                    (client_credentials ? " (client credentials)" : " (refresh)"));
  return remember(std::move(fresh));
}

FreshResult CredentialsEngine::refreshFailed(const SnapshotPtr& snapshot, RefreshNeed need,
                                             const flows::FlowFailure& failure) {
  const ConnectionSnapshot& current = *snapshot;
  if (failure.kind == flows::FailureKind::InvalidGrant) {
    return markNeedsReauth(current, "refresh refused: " + failure.message);
  }
  // Nothing says the end user's grant is gone: the connection stays active with its refresh
  // token, and the next attempt waits.
  backoff_.failed(current.connection_id);
  log().warning("refresh of connection " + current.connection_id + " failed (" +
                flows::toString(failure.kind) + "): " + failure.message);
  if (need == RefreshNeed::Soon) return snapshot;  // still valid until it expires
  switch (failure.kind) {
    case flows::FailureKind::Transient:
    case flows::FailureKind::InvalidResponse:
      return Failure{
          FailureKind::RefreshUnavailable,
          "the provider could not renew the token now; try again later: " + failure.message};
    case flows::FailureKind::InvalidClient:
      return Failure{
          FailureKind::InvalidClient,
          "the provider refused the integration's client id or secret: " + failure.message};
    default:
      return Failure{FailureKind::RefreshRejected,
                     "the provider refused to renew the token: " + failure.message};
  }
}

FreshResult CredentialsEngine::markNeedsReauth(const ConnectionSnapshot& current,
                                               const std::string& reason) {
  const auto marked = store_.markNeedsReauth(current.connection_id, current.version, reason);
  if (!marked) {
    if (marked.failure == store::WriteFailure::NotFound) return notFound(current.key);
    // Another writer renewed it meanwhile: the refresh token refused was already replaced.
    return adoptStored(current);
  }
  log().warning("connection " + current.connection_id + " needs re-authorization: " + reason);
  auto snapshot = std::make_shared<ConnectionSnapshot>(current);
  snapshot->version = *marked.value;
  snapshot->status = store::ConnectionStatus::NeedsReauth;
  snapshot->status_reason = reason;
  return needsReauth(*remember(std::move(snapshot)));
}

FreshResult CredentialsEngine::adoptStored(const ConnectionSnapshot& base) {
  auto stored = store_.findConnection(base.key);
  if (!stored) return notFound(base.key);
  const SnapshotPtr snapshot = remember(rebase(base, std::move(*stored)));
  if (snapshot->status != store::ConnectionStatus::Active) return needsReauth(*snapshot);
  return snapshot;
}

}  // namespace keyhop::credentials
