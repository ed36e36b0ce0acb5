#include "core/proxy/retry_policy.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <ctime>
#include <iomanip>
#include <locale>
#include <sstream>

namespace keyhop::proxy {
namespace {

using std::chrono::milliseconds;

// Beyond any sane wait, and small enough that its milliseconds fit in 64 bits.
constexpr std::uint64_t kLargestNumber = 1'000'000'000'000'000;
// From here a number is a point in time (2001-09-09), not a number of seconds to wait.
constexpr std::uint64_t kFirstUnixTime = 1'000'000'000;

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::optional<std::uint64_t> parseNumber(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::uint64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = std::min(kLargestNumber, value * 10 + static_cast<std::uint64_t>(c - '0'));
  }
  return value;
}

// IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), which senders must use, then the obsolete
// RFC 850 and asctime forms recipients are asked to accept.
std::optional<std::time_t> parseHttpDate(std::string_view text) {
  static constexpr std::array<const char*, 3> kFormats = {
      "%a, %d %b %Y %H:%M:%S GMT", "%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"};
  for (const char* format : kFormats) {
    std::istringstream in{std::string(text)};
    in.imbue(std::locale::classic());
    std::tm parts{};
    in >> std::get_time(&parts, format);
    if (in.fail() || in.peek() != std::char_traits<char>::eof()) continue;
    return timegm(&parts);
  }
  return std::nullopt;
}

// In milliseconds throughout: the system clock counts nanoseconds, which a far Unix time
// would overflow.
milliseconds untilUnixTime(std::int64_t unix_seconds, std::chrono::system_clock::time_point now) {
  const auto since_epoch = std::chrono::duration_cast<milliseconds>(now.time_since_epoch());
  return std::max(milliseconds(0), milliseconds(unix_seconds * 1000) - since_epoch);
}

std::optional<milliseconds> readWait(std::string_view value,
                                     std::chrono::system_clock::time_point now) {
  if (const auto number = parseNumber(value)) {
    if (*number >= kFirstUnixTime) return untilUnixTime(static_cast<std::int64_t>(*number), now);
    return milliseconds(static_cast<std::int64_t>(*number) * 1000);
  }
  if (const auto date = parseHttpDate(value)) return untilUnixTime(*date, now);
  return std::nullopt;
}

}  // namespace

bool isIdempotentMethod(std::string_view method) {
  static constexpr std::array<std::string_view, 5> kIdempotent = {"GET", "HEAD", "OPTIONS", "PUT",
                                                                  "DELETE"};
  return std::find(kIdempotent.begin(), kIdempotent.end(), method) != kIdempotent.end();
}

bool isRetryableStatus(int status) {
  return status == 429 || status == 502 || status == 503 || status == 504;
}

std::optional<int> parseRetries(std::string_view value) {
  if (value.size() != 1 || value[0] < '0' || value[0] > '0' + kMaxRetries) return std::nullopt;
  return value[0] - '0';
}

std::optional<milliseconds> requestedWait(const flows::HeaderViews& headers,
                                          const std::vector<std::string>& header_names,
                                          std::chrono::system_clock::time_point now) {
  const auto named = [&](const std::string& name) -> std::optional<milliseconds> {
    for (const auto& header : headers) {
      if (!flows::equalsIgnoreCase(header.name, name)) continue;
      if (auto wait = readWait(trimmed(header.value), now)) return wait;
    }
    return std::nullopt;
  };
  for (const auto& name : header_names) {
    if (auto wait = named(name)) return wait;
  }
  static const std::string kRetryAfter = "Retry-After";
  return named(kRetryAfter);  // the standard one counts whatever the descriptor lists
}

milliseconds backoffWait(int retry, double fraction) {
  // 2^7 * 100 ms is past the cap already; a larger shift would only overflow.
  const milliseconds bound = std::min(kMaxRetryWait, kFirstBackoff * (1 << std::min(retry, 7)));
  return milliseconds(static_cast<milliseconds::rep>(static_cast<double>(bound.count()) *
                                                     std::clamp(fraction, 0.0, 1.0)));
}

}  // namespace keyhop::proxy
