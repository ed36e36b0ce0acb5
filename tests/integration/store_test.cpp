// The Store's behaviour, every case on both backends (SQLite and a real PostgreSQL).

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <set>
#include <thread>
#include <vector>

#include "core/store/migrations.hpp"
#include "tests/integration/store_harness.hpp"
#include "tests/support/http_client.hpp"

using namespace keyhop;
using namespace keyhop::store;
using namespace keyhop::store::testing;
using Poco::Data::Keywords::bind;
using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;

namespace {

std::string jsonField(const std::string& json, const std::string& name) {
  return Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>()->getValue<std::string>(
      name);
}

}  // namespace

TEMPLATE_TEST_CASE("store migrates on open, and re-opening is a no-op", "[store]", SqliteBackend,
                   PostgresBackend) {
  TestType backend;
  const auto vault = makeVault();
  const int latest = migrations().back().version;
  {
    auto store = openStore(backend.url(), vault);
    CHECK(store->schemaVersion() == latest);
    REQUIRE(store->createAccount("kept"));
  }
  auto reopened = openStore(backend.url(), vault);
  CHECK(reopened->schemaVersion() == latest);
  CHECK(reopened->findAccountByName("kept"));
  auto raw = rawSession(backend.url());
  Poco::Int64 recorded = 0;
  raw << "SELECT COUNT(*) FROM schema_version", into(recorded), now;
  CHECK(recorded == static_cast<Poco::Int64>(migrations().size()));
}

TEMPLATE_TEST_CASE("stores opened at once on a fresh database migrate it once", "[store]",
                   SqliteBackend, PostgresBackend) {
  TestType backend;
  const auto vault = makeVault();
  std::atomic<int> opened{0};
  std::vector<std::thread> threads;
  std::vector<std::string> errors(4);
  for (std::size_t i = 0; i < errors.size(); ++i) {
    threads.emplace_back([&, i] {
      try {
        auto store = openStore(backend.url(), vault);
        if (store->schemaVersion() == migrations().back().version) ++opened;
      } catch (const std::exception& error) {
        errors[i] = error.what();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& error : errors) {
    INFO(error);
    CHECK(error.empty());
  }
  CHECK(opened == 4);
}

TEST_CASE("store refuses a database newer than it knows", "[store]") {
  SqliteBackend backend;
  const auto vault = makeVault();
  openStore(backend.url(), vault);
  rawSession(backend.url()) << "INSERT INTO schema_version VALUES (9999, 'future', 0)", now;
  CHECK_THROWS_WITH(openStore(backend.url(), vault),
                    Catch::Contains("newer than this keyhop knows"));
}

TEST_CASE("store reports an unreachable database with its URL but not its password", "[store]") {
  const auto vault = makeVault();
  const std::string url =
      "postgresql://keyhop:hunter2@127.0.0.1:" + std::to_string(test::freePort()) +
      "/nowhere?connect_timeout=2";
  try {
    openStore(url, vault);
    FAIL("opened a database that does not exist");
  } catch (const StoreError& error) {
    const std::string message = error.what();
    CHECK_THAT(message, Catch::Contains("postgresql://keyhop@127.0.0.1"));
    CHECK_THAT(message, !Catch::Contains("hunter2"));
  }
  CHECK_THROWS_AS(openStore("mysql://x", vault), StoreError);
}

TEMPLATE_TEST_CASE("accounts: the secret key is shown once and stored as a hash", "[store]",
                   SqliteBackend, PostgresBackend) {
  StoreHarness<TestType> h;
  auto created = h.store->createAccount("acme");
  REQUIRE(created);
  const std::string key = created.value->secret_key;
  const Account& account = created.value->account;
  CHECK(key.rfind("sk_", 0) == 0);
  CHECK(key.size() == 46);
  CHECK(account.public_key.rfind("pk_", 0) == 0);
  CHECK(account.id.rfind("acc_", 0) == 0);

  auto found = h.store->findAccountBySecretKey(key);
  REQUIRE(found);
  CHECK(found->id == account.id);
  CHECK(found->name == "acme");
  std::string wrong = key;
  wrong.back() = wrong.back() == 'x' ? 'y' : 'x';  // a random key ends in 'x' one time in 62
  CHECK_FALSE(h.store->findAccountBySecretKey(wrong));
  CHECK_FALSE(h.store->findAccountBySecretKey(""));

  auto taken = h.store->createAccount("acme");
  REQUIRE_FALSE(taken);
  CHECK(taken.failure == WriteFailure::NameTaken);

  REQUIRE(h.store->createAccount("beta"));
  const auto accounts = h.store->listAccounts();
  REQUIRE(accounts.size() == 2);
  CHECK(accounts[0].name == "acme");
  CHECK(accounts[1].name == "beta");
  CHECK(h.store->findAccountById(account.id)->name == "acme");
  CHECK_FALSE(h.store->findAccountByName("gamma"));

  std::string stored_hash;
  rawSession(h.backend.url()) << "SELECT secret_key_hash FROM accounts WHERE id = $1",
      into(stored_hash), bind(account.id), now;
  CHECK(stored_hash.size() == 64);
  CHECK(stored_hash != key);
}

TEMPLATE_TEST_CASE("integrations: unique name per account, sealed secret, tenant isolation",
                   "[store]", SqliteBackend, PostgresBackend) {
  StoreHarness<TestType> h;
  const std::string acme = h.account("acme");
  const std::string beta = h.account("beta");

  NewIntegration slack;
  slack.account_id = acme;
  slack.provider = "slack";
  slack.client_id = "cid";
  slack.client_secret = "s3cret";
  slack.scopes = {"chat:write", "users:read"};
  slack.allowed_return_urls = {"https://acme.example/done"};
  slack.settings = R"({"team":"T1","nested":{"a":[1,2]}})";
  auto created = h.store->createIntegration(slack);
  REQUIRE(created);
  CHECK(created.value->info.name == "slack");  // the provider id by default
  CHECK(created.value->info.id.rfind("int_", 0) == 0);

  auto duplicate = h.store->createIntegration(slack);
  REQUIRE_FALSE(duplicate);
  CHECK(duplicate.failure == WriteFailure::NameTaken);
  slack.name = "slack-eu";
  REQUIRE(h.store->createIntegration(slack));
  slack.account_id = beta;
  slack.name = "";
  REQUIRE(h.store->createIntegration(slack));  // the same name in another account
  slack.account_id = "acc_missing";
  auto orphan = h.store->createIntegration(slack);
  REQUIRE_FALSE(orphan);
  CHECK(orphan.failure == WriteFailure::NotFound);

  auto found = h.store->findIntegrationByName(acme, "slack");
  REQUIRE(found);
  CHECK(found->client_secret == "s3cret");
  CHECK(found->info.client_id == "cid");
  CHECK(found->info.scopes == std::vector<std::string>{"chat:write", "users:read"});
  CHECK(found->info.allowed_return_urls == std::vector<std::string>{"https://acme.example/done"});
  CHECK(jsonField(found->info.settings, "team") == "T1");
  CHECK(h.store->findIntegrationById(acme, found->info.id));
  CHECK_FALSE(h.store->findIntegrationById(beta, found->info.id));  // another tenant's

  const auto listed = h.store->listIntegrations(acme);
  REQUIRE(listed.size() == 2);
  CHECK(listed[0].name == "slack");
  CHECK(listed[1].name == "slack-eu");
  CHECK(h.store->listIntegrations(beta).size() == 1);

  slack.settings = "[1]";
  CHECK_THROWS_AS(h.store->createIntegration(slack), std::invalid_argument);
}

TEMPLATE_TEST_CASE("connections: upsert creates, then re-authorizes the same connection", "[store]",
                   SqliteBackend, PostgresBackend) {
  StoreHarness<TestType> h;
  const std::string acme = h.account("acme");
  const std::string github = h.integration(acme);

  Credentials first = tokens("access-1", "refresh-1");
  first.captured = {{"team_id", "T9"}};
  first.connection_fields = {{"subdomain", "acme"}};
  auto created = h.store->upsertConnection({{acme, github, "user-1"}, first, "{\"raw\":1}"});
  REQUIRE(created);
  CHECK(created.value->created);
  const ConnectionInfo info = created.value->info;
  CHECK(info.id.rfind("con_", 0) == 0);
  CHECK(info.version == 1);

  auto found = h.store->findConnection({acme, github, "user-1"});
  REQUIRE(found);
  CHECK(found->info.id == info.id);
  CHECK(found->info.status == ConnectionStatus::Active);
  CHECK(found->credentials.access_token == "access-1");
  CHECK(found->credentials.refresh_token == "refresh-1");
  CHECK(found->credentials.expires_at == std::optional<std::int64_t>(1900000000));
  CHECK(found->credentials.captured.at("team_id") == "T9");
  CHECK(found->credentials.connection_fields.at("subdomain") == "acme");
  CHECK(found->info.connection_fields.at("subdomain") == "acme");
  CHECK(found->raw_token_response == "{\"raw\":1}");
  CHECK_FALSE(found->info.last_refresh_at);

  Credentials second = tokens("access-2");
  second.expires_at.reset();
  auto again = h.store->upsertConnection({{acme, github, "user-1"}, second, ""});
  REQUIRE(again);
  CHECK_FALSE(again.value->created);
  CHECK(again.value->info.id == info.id);
  CHECK(again.value->info.version == 2);
  auto reauthorized = h.store->findConnectionById(info.id);
  REQUIRE(reauthorized);
  CHECK(reauthorized->credentials.access_token == "access-2");
  CHECK(reauthorized->credentials.refresh_token.empty());
  CHECK_FALSE(reauthorized->credentials.expires_at);
  CHECK(reauthorized->info.connection_fields.empty());

  const auto events = h.store->undeliveredEvents(10);
  REQUIRE(events.size() == 2);
  CHECK(events[0].type == "connection.created");
  CHECK(events[1].type == "connection.reauthorized");
  CHECK(jsonField(events[0].payload, "connection_id") == info.id);
  CHECK(jsonField(events[0].payload, "integration") == "github");
  CHECK(jsonField(events[0].payload, "user_id") == "user-1");
  CHECK(events[0].account_id == acme);
}

TEMPLATE_TEST_CASE("connections stay within their account", "[store]", SqliteBackend,
                   PostgresBackend) {
  StoreHarness<TestType> h;
  const std::string acme = h.account("acme");
  const std::string beta = h.account("beta");
  const std::string acme_github = h.integration(acme);
  h.connect(acme, acme_github, "user-1", tokens("acme-token"));

  auto foreign = h.store->upsertConnection({{beta, acme_github, "user-1"}, tokens("x"), ""});
  REQUIRE_FALSE(foreign);
  CHECK(foreign.failure == WriteFailure::NotFound);
  CHECK_FALSE(h.store->findConnection({beta, acme_github, "user-1"}));
  CHECK(h.store->listConnections(beta).empty());
  CHECK(h.store->listConnections(acme).size() == 1);
  CHECK_FALSE(h.store->createConnectSession({beta, acme_github, "u", "", {}, 4102444800}));
  CHECK_FALSE(h.store->createOAuthState(keyhop::store::newOAuthStateToken(),
                                        {beta, acme_github, "u", "v", "", "", {}, 4102444800, ""}));

  // The database refuses it too, whatever the caller checked.
  auto raw = rawSession(h.backend.url());
  CHECK_THROWS(raw << "INSERT INTO connections (id, account_id, integration_id, user_id,"
                      " credentials, connection_fields, status, status_reason, version,"
                      " created_at, updated_at) VALUES ('con_x', $1, $2, 'u', 'c', '{}',"
                      " 'active', '', 1, 0, 0)",
               bind(beta), bind(acme_github), now);
}

TEMPLATE_TEST_CASE("connections: optimistic credential updates and needs_reauth", "[store]",
                   SqliteBackend, PostgresBackend) {
  StoreHarness<TestType> h;
  const std::string acme = h.account("acme");
  const std::string github = h.integration(acme);
  const ConnectionInfo info = h.connect(acme, github, "user-1", tokens("a1", "r1"));

  auto updated = h.store->updateCredentials(info.id, 1, tokens("a2", "r2"), "{}");
  REQUIRE(updated);
  CHECK(*updated.value == 2);
  auto stale = h.store->updateCredentials(info.id, 1, tokens("stale", "stale"), "{}");
  REQUIRE_FALSE(stale);
  CHECK(stale.failure == WriteFailure::VersionMismatch);
  auto missing = h.store->updateCredentials("con_missing", 1, tokens("x"), "{}");
  REQUIRE_FALSE(missing);
  CHECK(missing.failure == WriteFailure::NotFound);

  auto refreshed = h.store->findConnectionById(info.id);
  REQUIRE(refreshed);
  CHECK(refreshed->credentials.refresh_token == "r2");
  CHECK(refreshed->info.version == 2);
  CHECK(refreshed->info.last_refresh_at);

  // Marking takes the refresh lease (store_lease_test.cpp), as the credentials engine does.
  const auto lease = h.store->acquireRefreshLease(info.id, 2, std::chrono::seconds(30));
  REQUIRE(lease);
  CHECK(h.store->markNeedsReauth(info.id, 1, lease.owner, "invalid_grant").failure ==
        WriteFailure::VersionMismatch);
  auto marked = h.store->markNeedsReauth(info.id, 2, lease.owner, "invalid_grant");
  REQUIRE(marked);
  CHECK(*marked.value == 3);
  auto broken = h.store->findConnectionById(info.id);
  CHECK(broken->info.status == ConnectionStatus::NeedsReauth);
  CHECK(broken->info.status_reason == "invalid_grant");
  CHECK(h.store->listConnections(acme).front().status == ConnectionStatus::NeedsReauth);

  const auto events = h.store->undeliveredEvents(10);
  REQUIRE(events.size() == 2);
  CHECK(events[1].type == "connection.refresh_failed");
  CHECK(jsonField(events[1].payload, "reason") == "invalid_grant");
  CHECK(jsonField(events[1].payload, "connection_id") == info.id);

  // Re-authorizing brings it back.
  h.connect(acme, github, "user-1", tokens("a4", "r4"));
  auto back = h.store->findConnectionById(info.id);
  CHECK(back->info.status == ConnectionStatus::Active);
  CHECK(back->info.status_reason.empty());
  CHECK(back->info.version == 4);
}

TEMPLATE_TEST_CASE("connections: deleting one enqueues connection.deleted", "[store]",
                   SqliteBackend, PostgresBackend) {
  StoreHarness<TestType> h;
  const std::string acme = h.account("acme");
  const std::string beta = h.account("beta");
  const std::string github = h.integration(acme);
  const ConnectionInfo info = h.connect(acme, github, "user-1", tokens("a"));
  CHECK_FALSE(h.store->deleteConnection(beta, info.id));
  CHECK(h.store->deleteConnection(acme, info.id));
  CHECK_FALSE(h.store->deleteConnection(acme, info.id));
  CHECK_FALSE(h.store->findConnectionById(info.id));
  const auto events = h.store->undeliveredEvents(10);
  REQUIRE(events.size() == 2);
  CHECK(events[1].type == "connection.deleted");
}

TEMPLATE_TEST_CASE("connect sessions are single use, expire, and are stored hashed", "[store]",
                   SqliteBackend, PostgresBackend) {
  StoreHarness<TestType> h;
  const std::string acme = h.account("acme");
  const std::string github = h.integration(acme);
  const std::int64_t later = 4102444800;  // 2100-01-01

  auto token = h.store->createConnectSession(
      {acme, github, "user-1", "https://app.example/done", {{"subdomain", "acme"}}, later});
  REQUIRE(token);
  CHECK(token.value->rfind("cs_", 0) == 0);
  auto session = h.store->consumeConnectSession(*token.value);
  REQUIRE(session);
  CHECK(session->account_id == acme);
  CHECK(session->integration_id == github);
  CHECK(session->user_id == "user-1");
  CHECK(session->return_url == "https://app.example/done");
  CHECK(session->connection_fields.at("subdomain") == "acme");
  CHECK(session->expires_at == later);
  CHECK_FALSE(h.store->consumeConnectSession(*token.value));
  CHECK_FALSE(h.store->consumeConnectSession("cs_unknown"));

  auto expired = h.store->createConnectSession({acme, github, "user-1", "", {}, 1000});
  REQUIRE(expired);
  CHECK_FALSE(h.store->consumeConnectSession(*expired.value));

  Poco::Int64 plain = 0;
  rawSession(h.backend.url()) << "SELECT COUNT(*) FROM connect_sessions WHERE token_hash = $1",
      into(plain), bind(*token.value), now;
  CHECK(plain == 0);

  // Of many concurrent attempts, exactly one gets the session.
  auto contested = h.store->createConnectSession({acme, github, "user-2", "", {}, later});
  REQUIRE(contested);
  std::atomic<int> winners{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      if (h.store->consumeConnectSession(*contested.value)) ++winners;
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(winners == 1);
}

TEMPLATE_TEST_CASE("OAuth states keep the sealed PKCE verifier and are single use", "[store]",
                   SqliteBackend, PostgresBackend) {
  StoreHarness<TestType> h;
  const std::string acme = h.account("acme");
  const std::string github = h.integration(acme);
  OAuthState state{acme,
                   github,
                   "user-1",
                   "verifier-abc",
                   "https://keyhop.example/oauth/callback",
                   "https://app.example/done",
                   {{"subdomain", "acme"}},
                   4102444800,
                   "oauth1-temporary-token"};
  const std::string minted = keyhop::store::newOAuthStateToken();
  auto token = h.store->createOAuthState(minted, state);
  REQUIRE(token);
  CHECK(*token.value == minted);
  CHECK(minted.size() == 3 + 43);
  CHECK(token.value->rfind("st_", 0) == 0);
  auto consumed = h.store->consumeOAuthState(*token.value);
  REQUIRE(consumed);
  CHECK(consumed->code_verifier == "verifier-abc");
  CHECK(consumed->redirect_uri == "https://keyhop.example/oauth/callback");
  CHECK(consumed->return_url == "https://app.example/done");
  CHECK(consumed->user_id == "user-1");
  CHECK(consumed->connection_fields == state.connection_fields);
  CHECK(consumed->request_token == "oauth1-temporary-token");
  CHECK_FALSE(h.store->consumeOAuthState(*token.value));

  state.expires_at = 1000;
  auto expired = h.store->createOAuthState(keyhop::store::newOAuthStateToken(), state);
  REQUIRE(expired);
  CHECK_FALSE(h.store->consumeOAuthState(*expired.value));
  CHECK(h.store->purgeExpired(0) == 1);
  CHECK(h.store->purgeExpired(0) == 0);
}

TEMPLATE_TEST_CASE("the outbox hands out events in order until delivered", "[store]", SqliteBackend,
                   PostgresBackend) {
  StoreHarness<TestType> h;
  const std::string acme = h.account("acme");
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(
        h.store->enqueueEvent(acme, "test.event", "{\"n\":\"" + std::to_string(i) + "\"}"));
  }
  CHECK_THROWS_AS(h.store->enqueueEvent(acme, "test.event", "not json"), std::invalid_argument);
  auto events = h.store->undeliveredEvents(3);
  REQUIRE(events.size() == 3);
  for (int i = 0; i < 3; ++i) {
    CHECK(events[i].id == ids[i]);
    CHECK(jsonField(events[i].payload, "n") == std::to_string(i));
  }
  CHECK(h.store->recordFailedDelivery(ids[0]));
  CHECK(h.store->undeliveredEvents(1).front().attempts == 1);
  CHECK(h.store->markEventDelivered(ids[0]));
  CHECK_FALSE(h.store->markEventDelivered(ids[0]));
  CHECK_FALSE(h.store->recordFailedDelivery(ids[0]));
  events = h.store->undeliveredEvents(10);
  REQUIRE(events.size() == 4);
  CHECK(events.front().id == ids[1]);
}

TEMPLATE_TEST_CASE("threads share one store", "[store]", SqliteBackend, PostgresBackend) {
  StoreHarness<TestType> h;
  const std::string acme = h.account("acme");
  const std::string github = h.integration(acme);
  constexpr int kThreads = 6;
  constexpr int kEach = 25;
  std::vector<std::thread> threads;
  std::vector<std::string> errors(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      try {
        for (int i = 0; i < kEach; ++i) {
          const std::string own = "user-" + std::to_string(t) + "-" + std::to_string(i);
          // Catch assertions are not thread-safe: only the main thread checks.
          if (!h.store->upsertConnection({{acme, github, own}, tokens(own), ""}) ||
              !h.store->upsertConnection({{acme, github, "shared"}, tokens("shared"), ""})) {
            errors[t] = "upsert failed for " + own;
          }
          auto read = h.store->findConnection({acme, github, own});
          if (!read || read->credentials.access_token != own) errors[t] = "lost " + own;
        }
      } catch (const std::exception& error) {
        errors[t] = error.what();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& error : errors) {
    INFO(error);
    CHECK(error.empty());
  }
  CHECK(h.store->listConnections(acme).size() == kThreads * kEach + 1);
  CHECK(h.store->findConnection({acme, github, "shared"})->info.version == kThreads * kEach);
}

TEMPLATE_TEST_CASE("a secret the vault cannot open is a StoreError naming the row", "[store]",
                   SqliteBackend, PostgresBackend) {
  StoreHarness<TestType> h;
  const std::string acme = h.account("acme");
  const std::string github = h.integration(acme);
  const ConnectionInfo info = h.connect(acme, github, "user-1", tokens("a"));

  // The same key id with other key bytes: what a lost or mixed-up key file looks like.
  const auto wrong = makeVault("k1:AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=");
  auto store = openStore(h.backend.url(), wrong);
  CHECK_THROWS_WITH(store->findConnectionById(info.id),
                    Catch::Contains("connections.credentials of row " + info.id));
  CHECK_THROWS_WITH(store->findIntegrationById(acme, github),
                    Catch::Contains("integrations.client_secret of row " + github));
  CHECK(store->listConnections(acme).size() == 1);  // listings need no secret
  CHECK(h.store->findConnectionById(info.id));      // and the right vault still opens it
}
