#include <catch2/catch.hpp>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "core/store/store.hpp"
#include "core/vault/vault.hpp"
#include "tests/fakes/fake_provider.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/keyhop_process.hpp"
#include "tests/support/master_keys.hpp"
#include "tests/support/temp_dir.hpp"

using namespace keyhop;

namespace {

// A data dir whose store holds one connection to `fake`'s oauth2 provider, its token expiring
// in a minute, and the descriptor; what `keyhop serve` runs on.
struct Deployment {
  explicit Deployment(const fakes::FakeProvider& fake) {
    dir.write("providers/expiring.yaml",
              "id: expiring\nname: Expiring\nauth: oauth2\nauthorize_url: " + fake.url() +
                  "/oauth/authorize\ntoken_url: " + fake.url() +
                  "/oauth/token\napi: {base_url: \"" + fake.url() + "/api\"}\n");
    std::filesystem::create_directories(dir.path() / "plugins");
    auto store = openStore();
    const auto account = store->createAccount("acme");
    REQUIRE(account);
    account_id = account.value->account.id;
    store::NewIntegration integration;
    integration.account_id = account_id;
    integration.provider = "expiring";
    integration.client_id = "client-id";
    integration.client_secret = "client-secret";
    const auto created = store->createIntegration(integration);
    REQUIRE(created);
    integration_id = created.value->info.id;
  }

  std::unique_ptr<store::Store> openStore() const {
    return store::openStore("sqlite://" + (dir.path() / "data" / "keyhop.db").string(), vault);
  }

  std::map<std::string, std::string> env(std::uint16_t port) const {
    return {{"KEYHOP_PORT", std::to_string(port)},
            {"KEYHOP_DATA_DIR", (dir.path() / "data").string()},
            {"KEYHOP_MASTER_KEYS", master_keys},
            {"KEYHOP_PROVIDERS_PATH", (dir.path() / "providers").string()},
            {"KEYHOP_PLUGIN_PATH", (dir.path() / "plugins").string()},
            {"KEYHOP_PROACTIVE_REFRESH_INTERVAL_S", "1"},
            {"KEYHOP_PROACTIVE_REFRESH_JITTER_S", "0"}};
  }

  test::TempDir dir;
  std::string master_keys = test::generatedMasterKeys();
  vault::Vault vault{vault::KeyRing::parse(master_keys, "test keys")};
  std::string account_id;
  std::string integration_id;
};

}  // namespace

TEST_CASE("keyhop serve renews an expiring token in the background", "[app][serve]") {
  fakes::Options options;
  options.rotate_refresh_tokens = true;
  fakes::FakeProvider fake(options);
  Deployment deployment(fake);
  const auto tokens = fake.issueTokens("provider-user");
  const store::ConnectionKey key{deployment.account_id, deployment.integration_id, "user-1"};
  {
    Credentials credentials;
    credentials.access_token = tokens.access_token;
    credentials.refresh_token = tokens.refresh_token;
    credentials.expires_at = static_cast<std::int64_t>(std::time(nullptr)) + 60;
    REQUIRE(deployment.openStore()->upsertConnection({key, credentials, "{}"}));
  }

  SECTION("on by default") {
    const auto port = test::freePort();
    test::KeyhopProcess keyhop({"serve"}, deployment.env(port));
    REQUIRE(keyhop.waitUntilServing(port));
    // The pass's summary is logged once its renewals are done.
    const std::string renewed = "proactive refresh: renewed 1, failed 0";
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (keyhop.errorOutput().find(renewed) == std::string::npos &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    CHECK(keyhop.terminate() == 0);
    CHECK_THAT(keyhop.errorOutput(), Catch::Contains(renewed));
    CHECK(fake.counters().refreshes == 1);
    CHECK(fake.counters().token_errors == 0);
    const auto stored = deployment.openStore()->findConnection(key);
    REQUIRE(stored);
    CHECK(stored->credentials.refresh_token != tokens.refresh_token);
    CHECK(*stored->credentials.expires_at > static_cast<std::int64_t>(std::time(nullptr)) + 3000);
  }

  SECTION("off with KEYHOP_PROACTIVE_REFRESH=false") {
    const auto port = test::freePort();
    auto env = deployment.env(port);
    env["KEYHOP_PROACTIVE_REFRESH"] = "false";
    test::KeyhopProcess keyhop({"serve"}, env);
    REQUIRE(keyhop.waitUntilServing(port));
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // more than an interval
    CHECK(keyhop.terminate() == 0);
    CHECK(fake.counters().refreshes == 0);
    CHECK_THAT(keyhop.errorOutput(), !Catch::Contains("proactive refresh"));
  }
}
