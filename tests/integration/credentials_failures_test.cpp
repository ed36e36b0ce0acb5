#include <catch2/catch.hpp>
#include <thread>

#include "tests/integration/credentials_harness.hpp"

using namespace keyhop;
using namespace keyhop::credentials;
using keyhop::credentials::testing::checkNoSecrets;
using keyhop::credentials::testing::EngineFixture;
using keyhop::server::testing::ApiLogCapture;

namespace {

int eventsOfType(store::Store& store, const std::string& type) {
  int count = 0;
  for (const auto& event : store.undeliveredEvents(100)) count += event.type == type ? 1 : 0;
  return count;
}

}  // namespace

TEST_CASE("invalid_grant marks the connection needs_reauth and queues refresh_failed",
          "[credentials]") {
  ApiLogCapture logs;
  EngineFixture f;
  Credentials revoked;
  revoked.access_token = "at-revoked-secret";
  revoked.refresh_token = "rt-the-provider-never-issued";
  revoked.expires_at = f.clock - 10;
  const auto key = f.connect(f.oauth2Key("user-1"), revoked);

  const auto result = f.engine->fresh(key);
  REQUIRE_FALSE(result);
  CHECK(result.failure().kind == FailureKind::NeedsReauth);
  const auto stored = f.stored(key);
  CHECK(stored.info.status == store::ConnectionStatus::NeedsReauth);
  CHECK(stored.info.status_reason.find("invalid_grant") != std::string::npos);
  CHECK(eventsOfType(*f.store, "connection.refresh_failed") == 1);
  CHECK(f.fake.counters().refreshes == 1);

  // Refused from now on without asking the provider, forced or not.
  CHECK(f.engine->fresh(key).failure().kind == FailureKind::NeedsReauth);
  CHECK(f.engine->fresh(key, true).failure().kind == FailureKind::NeedsReauth);
  CHECK(f.fake.counters().token_requests == 1);

  // A reconnect through any writer is seen at once.
  const auto reconnected = f.connectOAuth2("user-1", 3600);
  CHECK(f.engine->fresh(reconnected));
  checkNoSecrets(logs.messages(), {revoked.access_token, revoked.refresh_token, "client-secret"});
}

TEST_CASE("an expired token without a refresh token needs re-authorization", "[credentials]") {
  EngineFixture f;
  Credentials once;
  once.access_token = "at-once";
  once.expires_at = f.clock + 3600;
  const auto key = f.connect(f.oauth2Key("user-1"), once);
  REQUIRE(f.engine->fresh(key));
  f.clock += 3600 - 100;  // within the margin: nothing to renew with, still valid
  CHECK(f.engine->fresh(key).snapshot().credentials.access_token == "at-once");

  f.clock += 200;
  CHECK(f.engine->fresh(key).failure().kind == FailureKind::NeedsReauth);
  CHECK(f.stored(key).info.status == store::ConnectionStatus::NeedsReauth);
  CHECK(f.fake.counters().token_requests == 0);
}

TEST_CASE("a provider 500 keeps the connection active and backs off", "[credentials]") {
  ApiLogCapture logs;
  EngineFixture f;
  fakes::TokenPair issued;
  const auto key = f.connectOAuth2("user-1", -10, &issued);
  f.fake.failNext(fakes::Endpoint::Token, 1, {500, {}, "upstream broke"});

  const auto failed = f.engine->fresh(key);
  REQUIRE_FALSE(failed);
  CHECK(failed.failure().kind == FailureKind::RefreshUnavailable);
  CHECK(f.stored(key).info.status == store::ConnectionStatus::Active);
  CHECK(f.stored(key).credentials.refresh_token == issued.refresh_token);
  CHECK(eventsOfType(*f.store, "connection.refresh_failed") == 0);

  // Right away: backing off, the provider is not asked.
  CHECK(f.engine->fresh(key).failure().kind == FailureKind::RefreshUnavailable);
  CHECK(f.fake.counters().token_requests == 1);

  std::this_thread::sleep_for(std::chrono::milliseconds(60));  // backoff_initial is 40 ms
  const auto later = f.engine->fresh(key);
  REQUIRE(later);
  CHECK(later.snapshot().credentials.access_token != issued.access_token);
  CHECK(f.fake.counters().refreshes == 2);
  checkNoSecrets(logs.messages(), {issued.access_token, issued.refresh_token,
                                   later.snapshot().credentials.access_token, "client-secret"});
}

TEST_CASE("a token endpoint timeout keeps the connection active, a later call succeeds",
          "[credentials]") {
  fakes::Options options;
  options.delays[fakes::Endpoint::Token] = std::chrono::milliseconds(1000);  // read timeout 300
  EngineFixture f(options);
  fakes::TokenPair issued;
  const auto key = f.connectOAuth2("user-1", -10, &issued);

  const auto failed = f.engine->fresh(key);
  REQUIRE_FALSE(failed);
  CHECK(failed.failure().kind == FailureKind::RefreshUnavailable);
  CHECK(f.stored(key).info.status == store::ConnectionStatus::Active);
  CHECK(f.stored(key).credentials.refresh_token == issued.refresh_token);

  f.fake.configure([](fakes::Options& o) { o.delays.clear(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  const auto later = f.engine->fresh(key);
  REQUIRE(later);
  CHECK(later.snapshot().credentials.access_token != issued.access_token);
  CHECK(f.stored(key).credentials.access_token == later.snapshot().credentials.access_token);
}

TEST_CASE("a failed refresh within the margin serves the still valid token", "[credentials]") {
  EngineFixture f;
  fakes::TokenPair issued;
  const auto key = f.connectOAuth2("user-1", 100, &issued);  // inside the 300 s margin
  f.fake.failNext(fakes::Endpoint::Token, 1, {503, {}, ""});

  const auto result = f.engine->fresh(key);
  REQUIRE(result);
  CHECK(result.snapshot().credentials.access_token == issued.access_token);
  // Backing off, the token still valid: served without asking the provider again.
  CHECK(f.engine->fresh(key).snapshot().credentials.access_token == issued.access_token);
  CHECK(f.fake.counters().token_requests == 1);
}

TEST_CASE("a refused client is reported and does not break the connection", "[credentials]") {
  fakes::Options options;
  options.clients = {{"client-id", "another-secret", {}}};
  EngineFixture f(options);
  const auto key = f.connectOAuth2("user-1", -10);

  const auto result = f.engine->fresh(key);
  REQUIRE_FALSE(result);
  CHECK(result.failure().kind == FailureKind::InvalidClient);
  CHECK(f.stored(key).info.status == store::ConnectionStatus::Active);
}
