#pragma once

// A store opened on one backend, with helpers that make the rows most [store] tests start from.

#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "tests/integration/store_backends.hpp"

namespace keyhop::store::testing {

inline Credentials tokens(const std::string& access, const std::string& refresh = "") {
  Credentials credentials;
  credentials.access_token = access;
  credentials.refresh_token = refresh;
  credentials.expires_at = 1900000000;
  return credentials;
}

template <typename Backend>
struct StoreHarness {
  Backend backend;
  vault::Vault vault = makeVault();
  std::unique_ptr<Store> store = openStore(backend.url(), vault);

  std::string account(const std::string& name = "acme") {
    auto created = store->createAccount(name);
    REQUIRE(created);
    return created.value->account.id;
  }

  std::string integration(const std::string& account_id, const std::string& provider = "github",
                          const std::string& client_secret = "client-secret") {
    NewIntegration integration;
    integration.account_id = account_id;
    integration.provider = provider;
    integration.client_id = "client-id-" + provider;
    integration.client_secret = client_secret;
    integration.scopes = {"repo", "read:user"};
    integration.allowed_return_urls = {"https://app.example/done"};
    auto created = store->createIntegration(integration);
    REQUIRE(created);
    return created.value->info.id;
  }

  ConnectionInfo connect(const std::string& account_id, const std::string& integration_id,
                         const std::string& user_id, const Credentials& credentials) {
    auto upserted = store->upsertConnection(
        {{account_id, integration_id, user_id}, credentials, "{\"access_token\":\"raw\"}"});
    REQUIRE(upserted);
    return upserted.value->info;
  }
};

}  // namespace keyhop::store::testing
