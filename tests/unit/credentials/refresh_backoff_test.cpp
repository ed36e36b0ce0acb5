#include "core/credentials/refresh_backoff.hpp"

#include <catch2/catch.hpp>

using keyhop::credentials::RefreshBackoff;
using std::chrono::milliseconds;

TEST_CASE("refresh backoff grows after each failure, up to its max, and a success clears it",
          "[credentials]") {
  RefreshBackoff backoff(milliseconds(1000), milliseconds(3000));
  CHECK(backoff.remaining("con_a") == milliseconds(0));

  backoff.failed("con_a");
  const auto first = backoff.remaining("con_a");
  CHECK(first > milliseconds(900));
  CHECK(first <= milliseconds(1000));

  backoff.failed("con_a");
  const auto second = backoff.remaining("con_a");
  CHECK(second > milliseconds(1900));
  CHECK(second <= milliseconds(2000));

  for (int i = 0; i < 40; ++i) backoff.failed("con_a");
  CHECK(backoff.remaining("con_a") > milliseconds(2900));
  CHECK(backoff.remaining("con_a") <= milliseconds(3000));
  CHECK(backoff.remaining("con_b") == milliseconds(0));  // per connection

  backoff.succeeded("con_a");
  CHECK(backoff.remaining("con_a") == milliseconds(0));
}
