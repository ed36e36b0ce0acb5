#include "core/proxy/retry_policy.hpp"

#include <catch2/catch.hpp>
#include <ctime>

using keyhop::HeaderList;
using std::chrono::milliseconds;
using std::chrono::system_clock;
namespace proxy = keyhop::proxy;

namespace {

// 2023-11-14 22:13:20 UTC, thirty seconds before the dates below.
const system_clock::time_point kNow = system_clock::from_time_t(1700000000);

std::optional<milliseconds> waitFor(const HeaderList& headers,
                                    const std::vector<std::string>& names = {}) {
  return proxy::requestedWait(keyhop::flows::viewsOf(headers), names, kNow);
}

}  // namespace

TEST_CASE("Only idempotent methods and busy answers are retried", "[proxy]") {
  for (const char* method : {"GET", "HEAD", "OPTIONS", "PUT", "DELETE"}) {
    CHECK(proxy::isIdempotentMethod(method));
  }
  for (const char* method : {"POST", "PATCH", "CONNECT", "get", ""}) {
    CHECK_FALSE(proxy::isIdempotentMethod(method));
  }
  for (const int status : {429, 502, 503, 504}) CHECK(proxy::isRetryableStatus(status));
  for (const int status : {200, 401, 408, 500, 501, 505})
    CHECK_FALSE(proxy::isRetryableStatus(status));
}

TEST_CASE("Keyhop-Retries is one digit from 0 to 5", "[proxy]") {
  CHECK(proxy::parseRetries("0") == 0);
  CHECK(proxy::parseRetries("3") == 3);
  CHECK(proxy::parseRetries("5") == 5);
  for (const char* value : {"6", "9", "-1", "", "01", "1.5", "x", " 2", "2 ", "10"}) {
    INFO(value);
    CHECK_FALSE(proxy::parseRetries(value));
  }
}

TEST_CASE("The provider's wait is read from delta-seconds, HTTP-dates and Unix times", "[proxy]") {
  CHECK(waitFor({{"Retry-After", "120"}}) == milliseconds(120000));
  CHECK(waitFor({{"retry-after", " 0 "}}) == milliseconds(0));
  CHECK(waitFor({{"Retry-After", "Tue, 14 Nov 2023 22:13:50 GMT"}}) == milliseconds(30000));
  CHECK(waitFor({{"Retry-After", "Tuesday, 14-Nov-23 22:13:50 GMT"}}) == milliseconds(30000));
  CHECK(waitFor({{"Retry-After", "Tue Nov 14 22:13:50 2023"}}) == milliseconds(30000));
  CHECK(waitFor({{"Retry-After", "Mon, 13 Nov 2023 22:13:50 GMT"}}) == milliseconds(0));  // past
  CHECK(waitFor({{"Retry-After", "1700000010"}}) == milliseconds(10000));  // a Unix time
  CHECK(waitFor({{"Retry-After", "99999999999999999999999"}}) > milliseconds(86400000));
  CHECK_FALSE(waitFor({{"Retry-After", "soon"}}));
  CHECK_FALSE(waitFor({{"Retry-After", "-5"}}));
  CHECK_FALSE(waitFor({{"X-Other", "5"}}));
  CHECK_FALSE(waitFor({}));
}

TEST_CASE("The descriptor's rate-limit headers come first, then Retry-After", "[proxy]") {
  const std::vector<std::string> names = {"X-RateLimit-Reset"};
  CHECK(waitFor({{"Retry-After", "7"}, {"X-RateLimit-Reset", "1700000002"}}, names) ==
        milliseconds(2000));
  CHECK(waitFor({{"Retry-After", "7"}}, names) == milliseconds(7000));
  CHECK(waitFor({{"Retry-After", "7"}, {"X-RateLimit-Reset", "later"}}, names) ==
        milliseconds(7000));
  CHECK_FALSE(waitFor({{"X-Other", "7"}}, names));
}

TEST_CASE("Backoff doubles from 100 ms, scaled by the jitter, capped at 10 s", "[proxy]") {
  CHECK(proxy::backoffWait(0, 0.0) == milliseconds(0));
  CHECK(proxy::backoffWait(0, 0.5) == milliseconds(50));
  CHECK(proxy::backoffWait(1, 1.0) == milliseconds(200));
  CHECK(proxy::backoffWait(3, 1.0) == milliseconds(800));
  CHECK(proxy::backoffWait(7, 1.0) == proxy::kMaxRetryWait);
  CHECK(proxy::backoffWait(40, 0.5) == milliseconds(5000));
}
