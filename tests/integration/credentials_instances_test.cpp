// Real keyhop server processes sharing one store (a PostgreSQL database, or one SQLite file):
// a connection is refreshed once between them, and an instance killed while it holds the
// refresh lease loses nothing (docs/credentials.md "One refresh across instances").

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "tests/integration/credentials_harness.hpp"
#include "tests/integration/store_backends.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/keyhop_process.hpp"

using namespace keyhop;
using keyhop::credentials::testing::loadProviders;
using keyhop::credentials::testing::writeFakeDescriptors;
using keyhop::store::testing::PostgresBackend;
using keyhop::store::testing::SqliteBackend;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

namespace {

// Short, so a dead holder's lease runs out within the test, and longer than the provider
// timeouts below together, as keyhop requires.
constexpr milliseconds kLease{1500};

fakes::Options rotatingProvider() {
  fakes::Options options;
  options.rotate_refresh_tokens = true;
  return options;
}

// The fake provider, a store the test seeds directly (with the instances' master keys), and
// keyhop instances started on it.
template <typename Backend>
struct Instances {
  explicit Instances(fakes::Options options) : fake(std::move(options)) {
    writeFakeDescriptors(dir, "providers.d", fake);
    std::filesystem::create_directories(dir.path() / "plugins");
    auto account = store->createAccount("acme");
    REQUIRE(account);
    account_id = account.value->account.id;
    secret_key = account.value->secret_key;
    store::NewIntegration integration;
    integration.account_id = account_id;
    integration.name = "crm";
    integration.provider = "fake-oauth2";
    integration.client_id = "client-id";
    integration.client_secret = "client-secret";
    auto created = store->createIntegration(integration);
    REQUIRE(created);
    key = {account_id, created.value->info.id, "user-1"};
  }

  // The connection, holding tokens the fake issued; its access token expired 10 s ago.
  fakes::TokenPair connectExpired() {
    const auto tokens = fake.issueTokens(key.user_id);
    store::NewConnection connection;
    connection.key = key;
    connection.credentials.access_token = tokens.access_token;
    connection.credentials.refresh_token = tokens.refresh_token;
    connection.credentials.expires_at = store::unixNow() - 10;
    connection.raw_token_response = "{}";
    REQUIRE(store->upsertConnection(connection));
    return tokens;
  }

  std::unique_ptr<test::KeyhopProcess> start(std::uint16_t port) {
    const std::map<std::string, std::string> env = {
        {"KEYHOP_PORT", std::to_string(port)},
        {"KEYHOP_DATA_DIR", (dir.path() / ("data-" + std::to_string(port))).string()},
        {"KEYHOP_MASTER_KEYS", master_keys},
        {"KEYHOP_STORE", backend.url()},
        {"KEYHOP_PROVIDERS_PATH", (dir.path() / "providers.d").string()},
        {"KEYHOP_PLUGIN_PATH", (dir.path() / "plugins").string()},
        {"KEYHOP_REFRESH_LEASE_MS", std::to_string(kLease.count())},
        {"KEYHOP_PROVIDER_CONNECT_TIMEOUT_MS", "300"},
        {"KEYHOP_PROVIDER_READ_TIMEOUT_MS", "1100"},
        {"KEYHOP_WORKER_THREADS", "16"},
        // Only the requests below renew tokens.
        {"KEYHOP_PROACTIVE_REFRESH", "false"}};
    auto process = std::make_unique<test::KeyhopProcess>(std::vector<std::string>{"serve"}, env);
    REQUIRE(process->waitUntilServing(port));
    return process;
  }

  test::HttpResult token(std::uint16_t port) {
    return test::httpRequest(port, "GET", "/v1/connections/crm/" + key.user_id + "/token", "",
                             {{"Authorization", "Bearer " + secret_key}});
  }

  // `per_instance` token requests to each port, all released at once.
  std::vector<test::HttpResult> tokenStorm(const std::vector<std::uint16_t>& ports,
                                           int per_instance) {
    std::vector<test::HttpResult> results(ports.size() * per_instance);
    std::mutex mutex;
    std::condition_variable go;
    bool started = false;
    std::vector<std::thread> callers;
    for (std::size_t i = 0; i < results.size(); ++i) {
      callers.emplace_back([&, i] {
        {
          std::unique_lock<std::mutex> lock(mutex);
          go.wait(lock, [&] { return started; });
        }
        try {
          results[i] = token(ports[i % ports.size()]);
        } catch (const std::exception& error) {
          results[i].reason = error.what();  // status stays 0
        }
      });
    }
    {
      std::lock_guard<std::mutex> lock(mutex);
      started = true;
    }
    go.notify_all();
    for (auto& caller : callers) caller.join();
    return results;
  }

  store::Connection stored() {
    auto connection = store->findConnection(key);
    REQUIRE(connection);
    return *connection;
  }

  Backend backend;  // first: everything below uses its database
  fakes::FakeProvider fake;
  test::TempDir dir;
  std::string master_keys = test::generatedMasterKeys();
  vault::Vault vault{vault::KeyRing::parse(master_keys, "test keys")};
  std::unique_ptr<store::Store> store = store::openStore(backend.url(), vault);
  std::string account_id;
  std::string secret_key;
  store::ConnectionKey key;
};

std::string accessToken(const test::HttpResult& result) {
  return Poco::JSON::Parser()
      .parse(result.body)
      .extract<Poco::JSON::Object::Ptr>()
      ->getValue<std::string>("access_token");
}

// Every result is a 200 with the same access token; that token.
std::string sameTokenInAll(const std::vector<test::HttpResult>& results) {
  std::set<std::string> tokens;
  int ok = 0;
  for (const auto& result : results) {
    if (result.status != 200) {
      UNSCOPED_INFO(result.status << " " << result.reason << " " << result.body);
      continue;
    }
    ++ok;
    tokens.insert(accessToken(result));
  }
  CHECK(ok == static_cast<int>(results.size()));
  REQUIRE(tokens.size() == 1);
  return *tokens.begin();
}

bool apiAccepts(const fakes::FakeProvider& fake, const std::string& access_token) {
  return test::httpRequest(fake.port(), "GET", "/api/me", "",
                           {{"Authorization", "Bearer " + access_token}})
             .status == 200;
}

}  // namespace

TEMPLATE_TEST_CASE("two keyhop processes on one store refresh an expired connection once",
                   "[credentials][postgres]", SqliteBackend, PostgresBackend) {
  fakes::Options options = rotatingProvider();
  // The refresh is still in flight while the other instance's requests arrive.
  options.delays[fakes::Endpoint::Token] = milliseconds(300);
  Instances<TestType> f(options);
  const auto issued = f.connectExpired();
  const auto port_a = test::freePort();
  const auto a = f.start(port_a);
  const auto port_b = test::freePort();
  const auto b = f.start(port_b);

  const auto results = f.tokenStorm({port_a, port_b}, 100);

  const std::string token = sameTokenInAll(results);
  CHECK(token != issued.access_token);
  CHECK(f.fake.counters().refreshes == 1);
  CHECK(f.fake.counters().token_errors == 0);
  const auto stored = f.stored();
  CHECK(stored.info.status == store::ConnectionStatus::Active);
  CHECK(stored.credentials.access_token == token);
  CHECK(stored.credentials.refresh_token != issued.refresh_token);
  CHECK(apiAccepts(f.fake, token));
  // Released by its holder after the write.
  CHECK(f.store->acquireRefreshLease(stored.info.id, stored.info.version, milliseconds(1)));
}

TEST_CASE("an instance killed holding the refresh lease loses nothing: another completes it",
          "[credentials][postgres]") {
  fakes::Options options = rotatingProvider();
  // The token endpoint holds the first refresh request before acting on it, long enough for
  // its sender to be killed, and then drops it: the refresh token is not consumed.
  options.delays[fakes::Endpoint::Token] = milliseconds(1000);
  options.cancel_when_client_leaves = true;
  Instances<PostgresBackend> f(options);
  const auto issued = f.connectExpired();
  const auto port_a = test::freePort();
  const auto a = f.start(port_a);
  const auto port_b = test::freePort();
  const auto b = f.start(port_b);

  std::thread doomed([&] {
    try {
      f.token(port_a);
    } catch (const std::exception&) {
      // its keyhop dies under it
    }
  });
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  while (!f.fake.lastRequest(fakes::Endpoint::Token) && Clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(5));
  }
  REQUIRE(f.fake.lastRequest(fakes::Endpoint::Token));  // A holds the lease, mid-refresh
  const auto id = f.stored().info.id;
  CHECK(f.store->acquireRefreshLease(id, 1, milliseconds(1)).outcome == store::LeaseOutcome::Held);
  a->kill();
  doomed.join();
  f.fake.configure([](fakes::Options& o) { o.delays.clear(); });

  const auto started = Clock::now();
  const auto results = f.tokenStorm({port_b}, 100);
  const auto took = Clock::now() - started;

  const std::string token = sameTokenInAll(results);
  CHECK(token != issued.access_token);
  CHECK(took < kLease + milliseconds(1500));  // waited for the lease, not much more
  // A's request was dropped by the provider unanswered; B's is the one refresh.
  CHECK(f.fake.counters().token_requests == 1);
  CHECK(f.fake.counters().refreshes == 1);
  CHECK(f.fake.counters().token_errors == 0);
  const auto stored = f.stored();
  CHECK(stored.info.status == store::ConnectionStatus::Active);
  CHECK(stored.credentials.access_token == token);
  CHECK(apiAccepts(f.fake, token));

  // Nothing lost: the stored refresh token is the live one, so the next refresh works.
  const auto providers = loadProviders(f.dir.path() / "providers.d");
  const flows::HttpClient http;
  credentials::CredentialsEngine engine(providers, *f.store, http);
  const auto forced = engine.fresh(f.key, true);
  REQUIRE(forced);
  CHECK(forced.snapshot().credentials.access_token != token);
  CHECK(f.fake.counters().refreshes == 2);
  CHECK(f.fake.counters().token_errors == 0);
  CHECK_THAT(b->errorOutput(), !Catch::Contains("needs re-authorization"));
}
