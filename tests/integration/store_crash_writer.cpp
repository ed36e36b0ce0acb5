// keyhop_store_crash_writer URL KEYS: writes connections to the store at URL, a few per
// transaction, forever, printing the id of each connection once its transaction committed.
// The crash-safety test kills it with SIGKILL mid-stream (store_crash_test.cpp).

#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "core/store/store.hpp"

using namespace keyhop;

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: keyhop_store_crash_writer URL KEYS\n";
    return 2;
  }
  try {
    const vault::Vault vault(vault::KeyRing::parse(argv[2], "the command line"));
    auto store = store::openStore(argv[1], vault);
    auto account = store->createAccount("crash");
    if (!account) return 1;
    store::NewIntegration integration;
    integration.account_id = account.value->account.id;
    integration.provider = "github";
    integration.client_secret = "secret";
    auto created = store->createIntegration(integration);
    if (!created) return 1;
    for (int batch = 0; batch < 100000; ++batch) {
      std::vector<store::NewConnection> connections;
      for (int i = 0; i < 5; ++i) {
        const std::string user = "user-" + std::to_string(batch * 5 + i);
        Credentials credentials;
        credentials.access_token = "token-" + user;
        connections.push_back(
            {{integration.account_id, created.value->info.id, user}, credentials, ""});
      }
      for (const auto& result : store->upsertConnections(connections)) {
        if (!result) return 1;
        std::cout << result.value->info.id << " " << result.value->info.key.user_id << "\n";
      }
      std::cout.flush();
    }
    return 0;
  } catch (const std::exception& error) {
    std::cerr << error.what() << "\n";
    return 1;
  }
}
