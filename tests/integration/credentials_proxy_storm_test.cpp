#include <catch2/catch.hpp>
#include <condition_variable>
#include <ctime>
#include <fstream>
#include <mutex>
#include <thread>
#include <vector>

#include "tests/integration/api_harness.hpp"
#include "tests/integration/connect_harness.hpp"

using keyhop::authorization::testing::generatedSecret;
using keyhop::fakes::FakeProvider;
using keyhop::server::testing::ApiServer;

TEST_CASE("200 concurrent proxy requests on an expired token cause exactly one refresh",
          "[credentials][proxy]") {
  const std::string client_secret = generatedSecret("client-secret");
  keyhop::fakes::Options options;
  options.clients = {{"client-id", client_secret, {}}};
  options.rotate_refresh_tokens = true;
  // Slow enough that every request arrives while the one refresh is in flight.
  options.delays[keyhop::fakes::Endpoint::Token] = std::chrono::milliseconds(300);
  // A thread per kept-alive upstream connection: keyhop may open one per request here.
  FakeProvider fake(options, {0, 256});
  keyhop::test::TempDir descriptors;
  std::ofstream(descriptors.path() / "storm.yaml")
      << "id: storm\nname: Storm\nauth: oauth2\nauthorize_url: " << fake.url()
      << "/oauth/authorize\ntoken_url: " << fake.url()
      << "/oauth/token\napi:\n  base_url: " << fake.url() << "/api\n";
  ApiServer api(std::vector<std::filesystem::path>{descriptors.path()});
  const std::string key = api.account("acme");
  const std::string account_id = api.accountId(key);
  keyhop::store::NewIntegration integration;
  integration.account_id = account_id;
  integration.provider = "storm";
  integration.client_id = "client-id";
  integration.client_secret = client_secret;
  const auto created = api.store().createIntegration(integration);
  REQUIRE(created);

  // The access token expired ten seconds ago, and the provider says so too.
  const auto tokens = fake.issueTokens("provider-user");
  REQUIRE(fake.expireToken(tokens.access_token));
  keyhop::Credentials credentials;
  credentials.access_token = tokens.access_token;
  credentials.refresh_token = tokens.refresh_token;
  credentials.expires_at = static_cast<std::int64_t>(std::time(nullptr)) - 10;
  REQUIRE(api.store().upsertConnection(
      {{account_id, created.value->info.id, "user-1"}, credentials, ""}));

  constexpr int kRequests = 200;
  std::mutex mutex;
  std::condition_variable go;
  bool started = false;
  std::vector<int> statuses(kRequests, 0);
  std::vector<std::thread> clients;
  for (int i = 0; i < kRequests; ++i) {
    clients.emplace_back([&, i] {
      {
        std::unique_lock<std::mutex> lock(mutex);
        go.wait(lock, [&] { return started; });
      }
      try {
        statuses[i] = keyhop::test::httpRequest(
                          api.port(), "GET", "/proxy/storm/me", "",
                          {{"Authorization", "Bearer " + key}, {"Keyhop-User-Id", "user-1"}})
                          .status;
      } catch (const std::exception&) {
        statuses[i] = -1;  // a network error
      }
    });
  }
  {
    std::lock_guard<std::mutex> lock(mutex);
    started = true;
  }
  go.notify_all();
  for (auto& client : clients) client.join();

  int succeeded = 0;
  for (const int status : statuses) succeeded += status == 200;
  CHECK(succeeded == kRequests);
  const auto counters = fake.counters();
  CHECK(counters.refreshes == 1);
  CHECK(counters.token_errors == 0);
  CHECK(counters.api_calls == kRequests);
  CHECK(counters.api_rejected == 0);  // the expired token was never sent
  CHECK(counters.api_calls_by_token.size() == 1);
  CHECK(counters.api_calls_by_token.count(tokens.access_token) == 0);
}
