#pragma once

// What a flow step gives back: its value, or a classified failure. The classes are what the
// callers decide on: the callback page shows a reason, and the refresh engine marks a
// connection broken on InvalidGrant only, retrying Transient ones.

#include <string>
#include <utility>
#include <variant>

namespace keyhop::flows {

enum class FailureKind {
  InvalidGrant,     // the code, refresh token or verifier is no good: the user must reconnect
  InvalidClient,    // the integration's client id or secret is refused
  ProviderError,    // any other error the provider answered (4xx, or an error body)
  Transient,        // 5xx, 429, timeout, unreachable: try again later, nothing is broken
  InvalidResponse,  // an answer that cannot be read, or lacks the access token
  InvalidInput,     // keyhop cannot build the request (a connection field unfit for a host)
};

const char* toString(FailureKind kind);

// `message` is for logs and for the developer: it names endpoints, fields and provider error
// codes, never a token, code, secret or verifier.
struct FlowFailure {
  FailureKind kind = FailureKind::ProviderError;
  std::string message;
  std::string provider_error;  // the provider's `error` code, when it gave one
  int http_status = 0;         // 0 when there was no answer
};

template <typename T>
class FlowResult {
 public:
  FlowResult(T value) : value_(std::move(value)) {}
  FlowResult(FlowFailure failure) : value_(std::move(failure)) {}

  explicit operator bool() const { return std::holds_alternative<T>(value_); }
  const T& value() const { return std::get<T>(value_); }
  T& value() { return std::get<T>(value_); }
  const FlowFailure& failure() const { return std::get<FlowFailure>(value_); }

 private:
  std::variant<T, FlowFailure> value_;
};

}  // namespace keyhop::flows
