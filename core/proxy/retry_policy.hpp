#pragma once

// When and how soon a proxied request is sent again (`Keyhop-Retries`, docs/proxy.md
// "Retries"): only idempotent methods, only when the provider says it is busy (429, 502, 503,
// 504) or cannot be reached, after the wait the provider asks for or else an exponential
// backoff with full jitter, never longer than kMaxRetryWait.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/flows/http_text.hpp"
#include "keyhop/provider.hpp"

namespace keyhop::proxy {

inline constexpr int kMaxRetries = 5;
inline constexpr std::chrono::milliseconds kFirstBackoff{100};
// Longer than this is not a wait a caller holding a request open wants: the provider's answer
// goes to the caller instead.
inline constexpr std::chrono::milliseconds kMaxRetryWait{10000};

// RFC 9110 9.2.2's idempotent methods a proxy sees: GET, HEAD, OPTIONS, PUT, DELETE.
bool isIdempotentMethod(std::string_view method);

// 429, 502, 503, 504: the provider is busy or its own upstream failed; the request may succeed
// later unchanged.
bool isRetryableStatus(int status);

// A Keyhop-Retries value: one digit, 0 to kMaxRetries; nullopt for anything else.
std::optional<int> parseRetries(std::string_view value);

// How long the provider asks the caller to wait, from the first of `header_names` (the
// descriptor's api.rate_limit.retry_after), then Retry-After, that carries a readable value:
// delta-seconds, an HTTP-date (RFC 9110 5.6.7, the two obsolete forms too), or a Unix time in
// seconds (a number of at least 1,000,000,000, as X-RateLimit-Reset headers carry). A time
// already past is no wait. nullopt when no such header says.
std::optional<std::chrono::milliseconds> requestedWait(const flows::HeaderViews& headers,
                                                       const std::vector<std::string>& header_names,
                                                       std::chrono::system_clock::time_point now);

// The wait before retry number `retry` (0 for the first) when the provider asks for none:
// "full jitter", `fraction` (uniform in [0, 1)) of kFirstBackoff * 2^retry, that bound capped
// at kMaxRetryWait. Random waits keep clients refused together from coming back together.
std::chrono::milliseconds backoffWait(int retry, double fraction);

}  // namespace keyhop::proxy
