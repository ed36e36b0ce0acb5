#pragma once

// What CredentialsEngine::fresh gives back: a usable snapshot of the connection, or why there
// is none. Expected failures are values; a StoreError (the database is unusable) is thrown.

#include <string>
#include <utility>
#include <variant>

#include "core/credentials/connection_snapshot.hpp"

namespace keyhop::credentials {

enum class FailureKind {
  NotFound,             // no such connection or integration for this account
  ProviderUnavailable,  // the integration's provider is not in the loaded catalog
  NeedsReauth,          // the end user must connect again; the provider is not called
  RefreshUnavailable,  // transient (5xx, 429, timeout, unreachable, unreadable answer): retry later
  InvalidClient,       // the provider refused the integration's client id or secret
  RefreshRejected,     // the provider refused the refresh for another reason
};

const char* toString(FailureKind kind);  // "not_found", "needs_reauth", ...

// `message` is for the developer: it names the connection and the provider's error code, never
// a token or secret.
struct Failure {
  FailureKind kind = FailureKind::RefreshUnavailable;
  std::string message;
};

class FreshResult {
 public:
  FreshResult(SnapshotPtr snapshot) : value_(std::move(snapshot)) {}
  FreshResult(Failure failure) : value_(std::move(failure)) {}

  explicit operator bool() const { return std::holds_alternative<SnapshotPtr>(value_); }
  const ConnectionSnapshot& snapshot() const { return *std::get<SnapshotPtr>(value_); }
  const SnapshotPtr& shared() const { return std::get<SnapshotPtr>(value_); }
  const Failure& failure() const { return std::get<Failure>(value_); }

 private:
  std::variant<SnapshotPtr, Failure> value_;
};

}  // namespace keyhop::credentials
