// `keyhop keys rotate` and `keyhop keys retire` while `keyhop serve` runs on the same data
// directory: the server follows the key file, keeps serving, and the old key retires.

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/store/store.hpp"
#include "core/vault/key_ring.hpp"
#include "core/vault/vault.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/keyhop_process.hpp"
#include "tests/support/temp_dir.hpp"

using namespace keyhop;
using keyhop::test::freePort;
using keyhop::test::httpRequest;
using keyhop::test::KeyhopProcess;
using keyhop::test::TempDir;

namespace {

constexpr int kIntegrations = 30;

std::string secretOf(int i) { return "client-secret-" + std::to_string(i); }

// True once `process` has logged `text` on stderr; false if it exits or 10 s pass.
bool waitForLog(KeyhopProcess& process, const std::string& text) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline && process.running()) {
    if (process.errorOutput().find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return process.errorOutput().find(text) != std::string::npos;
}

// Runs a keyhop admin command to its end and returns its exit code.
int runKeyhop(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
              std::string* output = nullptr) {
  KeyhopProcess command(args, env);
  const int code = command.wait();
  if (output) *output = command.output();
  INFO(command.errorOutput());
  return code;
}

// The base64 of every key in the file, to make sure no log line carries one.
std::vector<std::string> keyTexts(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::vector<std::string> texts;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, key;
    if (fields >> id >> key && id[0] != '#') texts.push_back(key);
  }
  return texts;
}

}  // namespace

TEST_CASE("a running keyhop serve follows keys rotate and keys retire", "[vault][serve]") {
  TempDir data;
  const auto port = freePort();
  const std::map<std::string, std::string> env{{"KEYHOP_PORT", std::to_string(port)},
                                               {"KEYHOP_DATA_DIR", data.path().string()}};
  const auto key_file = data.path() / "master.keys";
  const std::string store_url = "sqlite://" + (data.path() / "keyhop.db").string();
  REQUIRE(runKeyhop({"keys", "init"}, env) == 0);

  std::vector<std::string> integration_ids;
  std::string account;
  {
    const vault::Vault vault(vault::KeyRing::load(key_file));
    auto store = store::openStore(store_url, vault);
    account = store->createAccount("acme").value->account.id;
    for (int i = 0; i < kIntegrations; ++i) {
      store::NewIntegration integration;
      integration.account_id = account;
      integration.name = "github-" + std::to_string(i);
      integration.provider = "github";
      integration.client_id = "client-id";
      integration.client_secret = secretOf(i);
      auto created = store->createIntegration(integration);
      REQUIRE(created);
      integration_ids.push_back(created.value->info.id);
    }
    REQUIRE(store->countSealedWith("k1") == kIntegrations);
  }

  KeyhopProcess serve({"serve"}, env);
  REQUIRE(serve.waitUntilServing(port));

  std::string rotate_output;
  REQUIRE(runKeyhop({"keys", "rotate", "--batch", "7"}, env, &rotate_output) == 0);
  CHECK_THAT(rotate_output, Catch::Contains("new active key k2") &&
                                Catch::Contains("re-encrypted " + std::to_string(kIntegrations)));
  REQUIRE(waitForLog(serve, "master keys reloaded: active key k2, 2 key(s)"));
  const auto keys = keyTexts(key_file);
  REQUIRE(keys.size() == 2);
  CHECK(httpRequest(port, "GET", "/healthz").status == 200);

  std::string retire_output;
  REQUIRE(runKeyhop({"keys", "retire", "k1"}, env, &retire_output) == 0);
  CHECK_THAT(retire_output, Catch::Contains("retired key k1"));
  REQUIRE(waitForLog(serve, "master keys reloaded: active key k2, 1 key(s)"));
  CHECK(httpRequest(port, "GET", "/healthz").status == 200);
  REQUIRE(serve.running());

  // Every secret now opens with the ring the server holds: the new key alone.
  const vault::Vault vault(vault::KeyRing::load(key_file));
  REQUIRE(vault.keys()->keys().size() == 1);
  auto store = store::openStore(store_url, vault);
  CHECK(store->countSealedWith("k2") == kIntegrations);
  for (int i = 0; i < kIntegrations; ++i) {
    const auto integration = store->findIntegrationById(account, integration_ids[i]);
    REQUIRE(integration);
    CHECK(integration->client_secret == secretOf(i));
  }

  CHECK(serve.terminate() == 0);
  for (const auto& key : keys) {
    CHECK_THAT(serve.errorOutput(), !Catch::Contains(key));
  }
}
