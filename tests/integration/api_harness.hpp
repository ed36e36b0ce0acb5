#pragma once

// The real server with the account API on 127.0.0.1, over a fresh SQLite store and a catalog
// of the shipped providers plus the test descriptors (one per auth mode), for the [api] tests.
// Every response it sees is kept, so a test can scan them all for a secret.

#include <Poco/AutoPtr.h>
#include <Poco/Channel.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Logger.h>
#include <Poco/Message.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/registry/registry.hpp"
#include "core/server/account_auth.hpp"
#include "core/server/api_routes.hpp"
#include "core/server/handlers/upstream_service.hpp"
#include "core/server/http_server.hpp"
#include "core/store/store.hpp"
#include "core/vault/vault.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/log_recorder.hpp"
#include "tests/support/master_keys.hpp"
#include "tests/support/temp_dir.hpp"

namespace keyhop::server::testing {

inline constexpr const char* kPublicUrl = "https://keyhop.example";

// `extra_dirs`: descriptors a test writes at run time (aimed at a fake provider's port);
// `extra_providers`: entries a test makes itself (a plugin's provider aimed at a fake).
inline registry::Registry apiTestProviders(
    const std::vector<std::filesystem::path>& extra_dirs = {},
    std::vector<registry::ProviderEntry> extra_providers = {}) {
  registry::LoadErrors errors;
  std::vector<std::filesystem::path> dirs = {
      std::string(KEYHOP_SOURCE_DIR) + "/providers.d",
      std::string(KEYHOP_SOURCE_DIR) + "/tests/fixtures/descriptors/valid"};
  dirs.insert(dirs.end(), extra_dirs.begin(), extra_dirs.end());
  auto providers = registry::Registry::load({dirs, {KEYHOP_PLUGIN_DIR}}, errors);
  for (auto& entry : extra_providers) providers.add(std::move(entry), errors);
  REQUIRE(errors.empty());
  return providers;
}

// Records what the API and the server log while it lives.
class ApiLogCapture {
 public:
  ApiLogCapture() {
    for (const char* name : {"keyhop.api", "keyhop.server", "keyhop.credentials"}) {
      auto& logger = Poco::Logger::get(name);
      saved_.push_back({&logger, logger.getChannel(), logger.getLevel()});
      logger.setChannel(channel_);
      logger.setLevel(Poco::Message::PRIO_TRACE);
    }
  }
  ~ApiLogCapture() {
    for (auto& saved : saved_) {
      saved.logger->setChannel(saved.channel);
      saved.logger->setLevel(saved.level);
    }
  }
  ApiLogCapture(const ApiLogCapture&) = delete;
  ApiLogCapture& operator=(const ApiLogCapture&) = delete;

  std::vector<std::string> messages() const { return channel_->messages(); }

 private:
  using Recorder = keyhop::test::LogRecorder;
  struct Saved {
    Poco::Logger* logger;
    Poco::AutoPtr<Poco::Channel> channel;
    int level;
  };

  Poco::AutoPtr<Recorder> channel_{new Recorder};
  std::vector<Saved> saved_;
};

class ApiServer {
 public:
  // `own_public_url`: connect links and the OAuth callback point at this server itself (on a
  // port chosen before it starts), so a test can follow them like a browser; otherwise they
  // point at kPublicUrl. `http_options`: how the server talks to providers (a short read
  // timeout makes a slow token endpoint fail quickly). `extra_providers`: see apiTestProviders.
  explicit ApiServer(const std::vector<std::filesystem::path>& extra_descriptor_dirs = {},
                     bool own_public_url = false, flows::HttpClientOptions http_options = {},
                     std::vector<registry::ProviderEntry> extra_providers = {})
      : providers_(apiTestProviders(extra_descriptor_dirs, std::move(extra_providers))),
        http_(std::move(http_options)) {
    ServerOptions options;
    options.port = own_public_url ? test::freePort() : 0;
    const std::string public_url =
        own_public_url ? "http://127.0.0.1:" + std::to_string(options.port) : kPublicUrl;
    addApiRoutes(router_, {providers_, *store_, accounts_, http_, credentials_, public_url});
    options.reactor_threads = 1;
    options.worker_threads = 2;
    proxy::UpstreamOptions upstream;
    upstream.ca_file = http_.options().ca_file;
    upstream.connect_timeout = http_.options().connect_timeout;
    upstream.read_timeout = http_.options().read_timeout;
    options.reactor_service = upstreamServices(upstream);
    server_ = std::make_unique<HttpServer>(router_, options);
    server_->start();
  }

  store::Store& store() { return *store_; }
  const registry::Registry& providers() const { return providers_; }
  const test::TempDir& dir() const { return dir_; }
  std::uint16_t port() const { return server_->port(); }

  // A new account; returns its secret key.
  std::string account(const std::string& name) {
    auto created = store_->createAccount(name);
    REQUIRE(created);
    return created.value->secret_key;
  }
  std::string accountId(const std::string& secret_key) {
    auto account = store_->findAccountBySecretKey(secret_key);
    REQUIRE(account);
    return account->id;
  }

  test::HttpResult call(const std::string& method, const std::string& target,
                        const std::string& secret_key, const std::string& body = "") {
    HeaderList headers;
    if (!secret_key.empty()) headers.push_back({"Authorization", "Bearer " + secret_key});
    if (!body.empty()) headers.push_back({"Content-Type", "application/json"});
    return record(test::httpRequest(server_->port(), method, target, body, headers));
  }
  test::HttpResult callWithHeaders(const std::string& method, const std::string& target,
                                   const HeaderList& headers) {
    return record(test::httpRequest(server_->port(), method, target, "", headers));
  }

  // Every response this server gave, heads and bodies.
  std::string everyResponse() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return responses_;
  }

 private:
  test::HttpResult record(test::HttpResult result) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& header : result.headers)
      responses_ += header.name + ": " + header.value + "\n";
    responses_ += result.body + "\n";
    return result;
  }

  test::TempDir dir_;
  vault::Vault vault_{vault::KeyRing::parse(test::generatedMasterKeys(), "test keys")};
  std::unique_ptr<store::Store> store_ =
      store::openStore("sqlite://" + (dir_.path() / "keyhop.db").string(), vault_);
  registry::Registry providers_ = apiTestProviders();
  AccountAuthenticator accounts_{*store_};
  flows::HttpClient http_;
  credentials::CredentialsEngine credentials_{providers_, *store_, http_};
  Router router_;
  std::unique_ptr<HttpServer> server_;  // declared last: stopped before what it uses goes
  mutable std::mutex mutex_;
  std::string responses_;
};

inline Poco::JSON::Object::Ptr jsonObject(const std::string& body) {
  return Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
}

// What an error response says about `field`, or "" when it names no such field.
inline std::string fieldProblem(const test::HttpResult& result, const std::string& field) {
  const auto error = jsonObject(result.body)->getObject("error");
  const auto fields = error->getObject("fields");
  if (!fields || !fields->has(field)) return "";
  return fields->getValue<std::string>(field);
}

inline std::string errorCode(const test::HttpResult& result) {
  return jsonObject(result.body)->getObject("error")->getValue<std::string>("code");
}

// The body of an integration the tests create, for provider example-oauth2.
inline std::string oauthIntegrationBody(const std::string& name = "crm",
                                        const std::string& secret = "cs-top-secret-1") {
  return R"({"provider":"example-oauth2","name":")" + name +
         R"(","client_id":"client-1","client_secret":")" + secret +
         R"(","allowed_return_urls":["https://app.example/done","http://127.0.0.1:3000/cb"]})";
}

}  // namespace keyhop::server::testing
