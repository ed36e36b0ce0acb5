#pragma once

// For the [credentials] tests: a CredentialsEngine over a real SQLite store in a TempDir and
// descriptors written at run time that aim at a FakeProvider on 127.0.0.1. The engine's clock is
// the fixture's, so a test moves time instead of sleeping.

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/credentials/credentials_engine.hpp"
#include "core/flows/http_client.hpp"
#include "core/registry/registry.hpp"
#include "core/store/store.hpp"
#include "core/store/unix_time.hpp"
#include "core/vault/vault.hpp"
#include "tests/fakes/fake_provider.hpp"
#include "tests/integration/api_harness.hpp"
#include "tests/support/master_keys.hpp"
#include "tests/support/temp_dir.hpp"

namespace keyhop::credentials::testing {

// fake-oauth2 (refresh grant, margin 300 s), fake-cc (client credentials), fake-keepalive
// (fake-oauth2 with refresh.keepalive_days 30) at the fake's URLs.
inline void writeFakeDescriptors(const test::TempDir& dir, const std::string& subdir,
                                 const fakes::FakeProvider& fake) {
  const std::string url = fake.url();
  dir.write(subdir + "/fake-keepalive.yaml",
            "id: fake-keepalive\nname: Fake Keepalive\nauth: oauth2\n"
            "authorize_url: " +
                url + "/oauth/authorize\ntoken_url: " + url +
                "/oauth/token\n"
                "refresh: {rotates_refresh_token: true, keepalive_days: 30}\n"
                "api: {base_url: \"" +
                url + "/api\"}\n");
  dir.write(subdir + "/fake-oauth2.yaml",
            "id: fake-oauth2\nname: Fake OAuth2\nauth: oauth2\n"
            "authorize_url: " +
                url +
                "/oauth/authorize\n"
                "token_url: " +
                url +
                "/oauth/token\n"
                "refresh: {rotates_refresh_token: true, margin_s: 300}\n"
                "api: {base_url: \"" +
                url + "/api\"}\n");
  dir.write(subdir + "/fake-cc.yaml",
            "id: fake-cc\nname: Fake Client Credentials\n"
            "auth: oauth2_cc\ntoken_url: " +
                url +
                "/oauth/token\n"
                "scopes: {default: [api]}\n"
                "api: {base_url: \"" +
                url + "/api\"}\n");
}

// No message holds any of `secrets`.
inline void checkNoSecrets(const std::vector<std::string>& messages,
                           const std::vector<std::string>& secrets) {
  for (const auto& message : messages) {
    for (const auto& secret : secrets) {
      if (secret.empty()) continue;
      CAPTURE(message);
      CHECK(message.find(secret) == std::string::npos);
    }
  }
}

inline registry::Registry loadProviders(const std::filesystem::path& dir) {
  registry::LoadErrors errors;
  auto providers = registry::Registry::load({{dir}, {}}, errors);
  for (const auto& error : errors) FAIL(error.toString());
  return providers;
}

inline flows::HttpClientOptions quickHttp() {
  flows::HttpClientOptions options;
  options.connect_timeout = std::chrono::milliseconds(1000);
  options.read_timeout = std::chrono::milliseconds(300);
  return options;
}

// Backoff short enough for a test to wait it out.
inline EngineOptions quickEngine() {
  EngineOptions options;
  options.backoff_initial = std::chrono::milliseconds(40);
  options.backoff_max = std::chrono::milliseconds(1000);
  return options;
}

struct EngineFixture {
  explicit EngineFixture(fakes::Options options = {}, EngineOptions engine_options = quickEngine())
      : fake(std::move(options)) {
    writeFakeDescriptors(dir, "providers.d", fake);
    providers = std::make_unique<registry::Registry>(loadProviders(dir.path() / "providers.d"));
    engine_options.now = [this] { return clock.load(); };
    engine = std::make_unique<CredentialsEngine>(*providers, *store, http, engine_options);
    auto account = store->createAccount("acme");
    REQUIRE(account);
    account_id = account.value->account.id;
    oauth2_id = integration("crm", "fake-oauth2");
    cc_id = integration("machine", "fake-cc");
  }

  std::string integration(const std::string& name, const std::string& provider) {
    store::NewIntegration integration;
    integration.account_id = account_id;
    integration.name = name;
    integration.provider = provider;
    integration.client_id = "client-id";
    integration.client_secret = "client-secret";
    auto created = store->createIntegration(integration);
    REQUIRE(created);
    return created.value->info.id;
  }

  store::ConnectionKey oauth2Key(const std::string& user) const {
    return {account_id, oauth2_id, user};
  }

  // An oauth2 connection holding tokens the fake issued, expiring `expires_in` from the clock
  // (empty: never).
  store::ConnectionKey connectOAuth2(const std::string& user,
                                     std::optional<std::int64_t> expires_in,
                                     fakes::TokenPair* issued = nullptr) {
    const auto tokens = fake.issueTokens(user);
    if (issued != nullptr) *issued = tokens;
    Credentials credentials;
    credentials.access_token = tokens.access_token;
    credentials.refresh_token = tokens.refresh_token;
    if (expires_in) credentials.expires_at = clock.load() + *expires_in;
    return connect(oauth2Key(user), credentials);
  }

  store::ConnectionKey connect(const store::ConnectionKey& key, const Credentials& credentials) {
    store::NewConnection connection;
    connection.key = key;
    connection.credentials = credentials;
    connection.raw_token_response = "{}";
    REQUIRE(store->upsertConnection(connection));
    return key;
  }

  store::Connection stored(const store::ConnectionKey& key) {
    auto connection = store->findConnection(key);
    REQUIRE(connection);
    return *connection;
  }

  fakes::FakeProvider fake;
  test::TempDir dir;
  vault::Vault vault{vault::KeyRing::parse(test::generatedMasterKeys(), "test keys")};
  std::unique_ptr<store::Store> store =
      store::openStore("sqlite://" + (dir.path() / "keyhop.db").string(), vault);
  std::unique_ptr<registry::Registry> providers;
  flows::HttpClient http{quickHttp()};
  std::atomic<std::int64_t> clock{store::unixNow()};
  std::unique_ptr<CredentialsEngine> engine;
  std::string account_id;
  std::string oauth2_id;
  std::string cc_id;
};

}  // namespace keyhop::credentials::testing
