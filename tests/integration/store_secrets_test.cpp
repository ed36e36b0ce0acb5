// What lies on disk: no secret in plaintext, and sealed values bound to their row.

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/integration/store_harness.hpp"

using namespace keyhop;
using namespace keyhop::store;
using namespace keyhop::store::testing;
using Poco::Data::Keywords::bind;
using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;

TEMPLATE_TEST_CASE("no secret is stored in plaintext", "[store]", SqliteBackend, PostgresBackend) {
  StoreHarness<TestType> h;
  auto account = h.store->createAccount("acme");
  REQUIRE(account);
  const std::string acme = account.value->account.id;
  const std::string github = h.integration(acme, "github", "client-SECRET-7d1e0c2a9b");

  Credentials credentials = tokens("access-TOKEN-51f0e8c3", "refresh-TOKEN-a83b77d2");
  credentials.token_secret = "oauth1-SECRET-0b9d4e61";
  credentials.api_key = "api-KEY-6c2f19aa";
  credentials.password = "basic-PASSWORD-e4a1d5";
  credentials.captured = {{"instance_url", "https://captured.example"}};
  credentials.connection_fields = {{"subdomain", "visible-subdomain"}};
  REQUIRE(h.store->upsertConnection(
      {{acme, github, "visible-user"}, credentials, R"({"id_token":"raw-ID-TOKEN-94be1f"})"}));
  keyhop::store::OAuthState oauth_state;
  oauth_state.account_id = acme;
  oauth_state.integration_id = github;
  oauth_state.user_id = "visible-user";
  oauth_state.code_verifier = "pkce-VERIFIER-2e7c61a0";
  oauth_state.redirect_uri = "https://keyhop.example/cb";
  oauth_state.expires_at = 4102444800;
  auto state = h.store->createOAuthState(keyhop::store::newOAuthStateToken(), oauth_state);
  REQUIRE(state);
  auto session = h.store->createConnectSession({acme, github, "visible-user", "", {}, 4102444800});
  REQUIRE(session);

  const std::vector<std::string> secrets = {account.value->secret_key,
                                            "client-SECRET-7d1e0c2a9b",
                                            "access-TOKEN-51f0e8c3",
                                            "refresh-TOKEN-a83b77d2",
                                            "oauth1-SECRET-0b9d4e61",
                                            "api-KEY-6c2f19aa",
                                            "basic-PASSWORD-e4a1d5",
                                            "raw-ID-TOKEN-94be1f",
                                            "https://captured.example",
                                            "pkce-VERIFIER-2e7c61a0",
                                            *state.value,
                                            *session.value};
  auto scan = [&](const std::string& bytes, const char* when) {
    INFO("scanning " << bytes.size() << " bytes " << when);
    // The scan sees the rows at all: what is not secret is there in plaintext.
    REQUIRE(bytes.find("visible-user") != std::string::npos);
    REQUIRE(bytes.find("visible-subdomain") != std::string::npos);
    REQUIRE(bytes.find(account.value->account.public_key) != std::string::npos);
    for (const auto& secret : secrets) {
      INFO("secret " << secret.substr(0, 8) << "...");
      CHECK(bytes.find(secret) == std::string::npos);
    }
  };
  scan(h.backend.bytesAtRest(), "while the store is open");
  if constexpr (TestType::kIsSqlite) {
    h.store.reset();  // the last connection's close checkpoints the WAL into the file
    scan(h.backend.bytesAtRest(), "after closing");
  }
}

TEMPLATE_TEST_CASE("ciphertexts swapped between rows both fail to decrypt", "[store]",
                   SqliteBackend, PostgresBackend) {
  StoreHarness<TestType> h;
  const std::string acme = h.account("acme");
  const std::string github = h.integration(acme);
  const std::string first = h.connect(acme, github, "user-1", tokens("token-1")).id;
  const std::string second = h.connect(acme, github, "user-2", tokens("token-2")).id;

  auto raw = rawSession(h.backend.url());
  auto credentialsOf = [&](const std::string& id) {
    std::string sealed;
    raw << "SELECT credentials FROM connections WHERE id = $1", into(sealed), bind(id), now;
    return sealed;
  };
  auto store = [&](const std::string& id, const std::string& sealed) {
    raw << "UPDATE connections SET credentials = $1 WHERE id = $2", bind(sealed), bind(id), now;
  };
  const std::string sealed_first = credentialsOf(first);
  const std::string sealed_second = credentialsOf(second);
  store(first, sealed_second);
  store(second, sealed_first);

  for (const auto& id : {first, second}) {
    try {
      h.store->findConnectionById(id);
      FAIL("the ciphertext moved to row " << id << " decrypted");
    } catch (const StoreError& error) {
      const std::string message = error.what();
      CHECK_THAT(message,
                 Catch::StartsWith("cannot decrypt connections.credentials of row " + id + ": "));
      CHECK_THAT(message, !Catch::Contains("token-"));
    }
  }

  store(first, sealed_first);
  store(second, sealed_second);
  CHECK(h.store->findConnectionById(first)->credentials.access_token == "token-1");
  CHECK(h.store->findConnectionById(second)->credentials.access_token == "token-2");
}
