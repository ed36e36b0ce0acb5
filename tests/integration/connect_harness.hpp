#pragma once

// For the [connect] tests: keyhop's API server and a FakeProvider on 127.0.0.1, descriptors
// written at run time that aim at the fake (one per auth mode and per quirk under test), an
// account with a generated client secret registered at the fake, and a browser that follows
// connect links and can stop just before keyhop's callback, so a test can tamper with it.
// Everything keyhop answered and logged is kept, so a test can check no secret leaked.

#include <Poco/URI.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "core/flows/http_client.hpp"
#include "core/flows/pkce.hpp"
#include "core/flows/stamp.hpp"
#include "core/flows/url_encoding.hpp"
#include "core/store/store.hpp"
#include "core/store/unix_time.hpp"
#include "tests/fakes/fake_provider.hpp"
#include "tests/integration/api_harness.hpp"
#include "tests/integration/store_backends.hpp"
#include "tests/support/browser.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/temp_dir.hpp"

namespace keyhop::authorization::testing {

using server::testing::ApiLogCapture;
using server::testing::ApiServer;
using server::testing::jsonObject;

// Secrets in tests are generated per run, never fixed strings.
inline std::string generatedSecret(const std::string& label) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::random_device device;
  std::string secret = label + "-";
  for (int i = 0; i < 32; ++i) secret.push_back(kHex[device() % 16]);
  return secret;
}

// A parameter of a token request's body, form or JSON; "" when absent.
inline std::string bodyParam(const std::string& body, const std::string& name) {
  if (!body.empty() && body.front() == '{') {
    const auto object = jsonObject(body);
    return object->has(name) ? object->getValue<std::string>(name) : "";
  }
  for (const auto& [key, value] : flows::parseForm(body).value_or(flows::Params{})) {
    if (key == name) return value;
  }
  return "";
}

inline const std::vector<std::string> kReturnUrls = {"https://app.example/done?tab=2",
                                                     "http://127.0.0.1:3000/cb"};

// One descriptor per auth mode and per quirk the tests drive, all at the fake's URLs.
inline std::filesystem::path writeFakeDescriptors(const test::TempDir& dir,
                                                  const std::string& url) {
  const auto write = [&](const std::string& id, const std::string& body,
                         const std::string& api_extra = "") {
    dir.write("providers.d/" + id + ".yaml", "id: " + id + "\nname: " + id +
                                                 "\napi: {base_url: \"" + url + "/api\"" +
                                                 api_extra + "}\n" + body);
  };
  const std::string code = "auth: oauth2\nauthorize_url: " + url +
                           "/oauth/authorize\ntoken_url: " + url +
                           "/oauth/token\nscopes: {default: [read, write]}\n";
  write("fake-oauth2", code);
  write("fake-nopkce", code + "pkce: false\n");
  write("fake-quirks", code + "callback_capture: [realmId]\npost_connect: {url: \"" + url +
                           "/api/metadata\", capture: {dc: dc}}\n");
  write("fake-basic-form", code + "token_request: {auth: client_secret_basic, body: form}\n");
  write("fake-basic-json", code + "token_request: {auth: client_secret_basic, body: json}\n");
  write("fake-post-json", code + "token_request: {auth: client_secret_post, body: json}\n");
  write("fake-nested", code +
                           "token_response: {access_token: authed_user.access_token, "
                           "refresh_token: authed_user.refresh_token, "
                           "expires_in: authed_user.expires_in}\n");
  write("fake-issuer", code + "issuer: \"" + url + "\"\n");
  // Connection fields in the host: these never reach the fake.
  const std::string tenant_host =
      "auth: oauth2\n"
      "authorize_url: https://${connection.subdomain}.example.test/oauth/authorize\n"
      "token_url: https://${connection.subdomain}.example.test/oauth/token\n";
  write("fake-subdomain",
        tenant_host + "connection_fields: {subdomain: {pattern: \"^[a-z0-9][a-z0-9-]{0,62}$\"}}\n");
  write("fake-loose", tenant_host + "connection_fields: {subdomain: {pattern: \"^.*$\"}}\n");
  write("fake-oauth1", "auth: oauth1\nauthorize_url: " + url + "/oauth1/authorize\ntoken_url: " +
                           url + "/oauth1/access_token\noauth1: {request_url: \"" + url +
                           "/oauth1/request_token\"}\ntoken_response: {capture: {user_id: "
                           "user_id}}\n");
  write("fake-cc", "auth: oauth2_cc\ntoken_url: " + url + "/oauth/token\n");
  write("fake-api-key", "auth: api_key\n", ", stamp: {header: X-Api-Key, format: \"${api_key}\"}");
  write("fake-basic", "auth: basic\n");
  return dir.path() / "providers.d";
}

// What a browser did with a link.
struct Walk {
  std::vector<std::string> visited;  // every URL requested, in order
  test::HttpResult last;             // the last answer (when `callback` is empty)
  std::string left_to;               // a redirect away from 127.0.0.1: the app's return URL
  std::string callback;              // stopped before keyhop's callback: its URL, not requested
};

struct ConnectFixture {
  // `tweak` changes the fake's options before it starts; `http` is how keyhop talks to it.
  explicit ConnectFixture(const std::function<void(fakes::Options&)>& tweak = {},
                          flows::HttpClientOptions http = {})
      : fake(fakeOptions(client_secret, tweak)),
        api({writeFakeDescriptors(dir, fake.url())}, true, std::move(http)) {}

  static fakes::Options fakeOptions(const std::string& secret,
                                    const std::function<void(fakes::Options&)>& tweak) {
    fakes::Options options;
    options.clients = {{"client-id", secret, {}}};
    if (tweak) tweak(options);
    return options;
  }

  std::string keyhopUrl() const { return "http://127.0.0.1:" + std::to_string(api.port()); }
  std::string callbackUrl() const { return keyhopUrl() + "/oauth/callback"; }

  // An integration of an OAuth provider in the account of `account_key` (default: acme's).
  void oauthIntegration(const std::string& name, const std::string& provider,
                        const std::string& client_id = "client-id", std::string secret = "",
                        std::string account_key = "") {
    if (secret.empty()) secret = client_secret;
    if (account_key.empty()) account_key = key;
    std::string urls;
    for (const auto& url : kReturnUrls) urls += (urls.empty() ? "\"" : ",\"") + url + "\"";
    const auto result = api.call("POST", "/v1/integrations", account_key,
                                 R"({"provider":")" + provider + R"(","name":")" + name +
                                     R"(","client_id":")" + client_id + R"(","client_secret":")" +
                                     secret + R"(","allowed_return_urls":[)" + urls + "]}");
    REQUIRE(result.status == 201);
  }

  // An integration of an api_key or basic provider: no client registration.
  void keyIntegration(const std::string& name, const std::string& provider) {
    const auto result = api.call("POST", "/v1/integrations", key,
                                 R"({"provider":")" + provider + R"(","name":")" + name + "\"}");
    REQUIRE(result.status == 201);
  }

  // A connect session's connect_url; `extra` is more JSON members (",\"ttl_s\":60").
  std::string connectUrl(const std::string& integration, const std::string& user,
                         const std::string& return_url = "", const std::string& extra = "",
                         std::string account_key = "") {
    if (account_key.empty()) account_key = key;
    std::string body = R"({"integration":")" + integration + R"(","user_id":")" + user + "\"";
    if (!return_url.empty()) body += R"(,"return_url":")" + return_url + "\"";
    const auto result = api.call("POST", "/v1/connect-sessions", account_key, body + extra + "}");
    REQUIRE(result.status == 201);
    return jsonObject(result.body)->getValue<std::string>("connect_url");
  }

  // Follows redirects like a browser while they stay on 127.0.0.1; with `stop_at_callback` it
  // does not request keyhop's callback but hands its URL back.
  Walk walk(const std::string& url, bool stop_at_callback = false) {
    Walk walk;
    Poco::URI next(url);
    for (int hop = 0; hop < 10; ++hop) {
      if (stop_at_callback && next.getPort() == api.port() && next.getPath() == "/oauth/callback") {
        walk.callback = next.toString();
        return walk;
      }
      walk.visited.push_back(next.toString());
      walk.last = get(next.toString());
      const std::string location = walk.last.header("Location");
      if (walk.last.status < 300 || walk.last.status >= 400 || location.empty()) return walk;
      const Poco::URI target(next, location);
      if (target.getHost() != "127.0.0.1" || target.getScheme() != "http") {
        walk.left_to = target.toString();
        return walk;
      }
      next = target;
    }
    FAIL("more than 10 redirects from " << url);
    return walk;
  }

  Walk connect(const std::string& integration, const std::string& user,
               const std::string& return_url = "") {
    return walk(connectUrl(integration, user, return_url));
  }

  // One GET of an absolute 127.0.0.1 URL; keyhop's answers are kept, and so are the grants
  // (codes, OAuth 1.0a verifiers) a callback URL carries.
  test::HttpResult get(const std::string& url) {
    const Poco::URI uri(url);
    auto result = test::httpRequest(uri.getPort(), "GET", uri.getPathEtc());
    if (uri.getPort() == api.port()) {
      for (const auto& name : {"code", "oauth_verifier"}) {
        const auto value = test::queryValue(url, name);
        if (!value.empty()) grants_.push_back(value);
      }
      for (const auto& header : result.headers)
        answers_ += header.name + ": " + header.value + "\n";
      answers_ += result.body + "\n";
    }
    return result;
  }

  // A callback URL as the fake's authorize endpoint sends the browser to it, for a state the test
  // stores itself (its PKCE verifier, expiry and return URL are the test's to choose), with a
  // real code whose challenge is that of `challenged_verifier`.
  std::string forgedCallback(const std::string& integration, const std::string& user,
                             const std::string& stored_verifier,
                             const std::string& challenged_verifier, std::int64_t expires_at,
                             const std::string& return_url = "") {
    const auto found = api.store().findIntegrationByName(account_id, integration);
    REQUIRE(found);
    store::OAuthState state;
    state.account_id = account_id;
    state.integration_id = found->info.id;
    state.user_id = user;
    state.code_verifier = stored_verifier;
    state.redirect_uri = callbackUrl();
    state.return_url = return_url;
    state.expires_at = expires_at;
    const auto token = api.store().createOAuthState(store::newOAuthStateToken(), state);
    REQUIRE(token);
    const auto authorize = flows::appendQuery(
        "/oauth/authorize", {{"response_type", "code"},
                             {"client_id", found->info.client_id},
                             {"redirect_uri", callbackUrl()},
                             {"state", *token.value},
                             {"code_challenge", flows::pkceChallenge(challenged_verifier)},
                             {"code_challenge_method", "S256"}});
    const auto answer = test::httpRequest(fake.port(), "GET", authorize);
    REQUIRE(answer.status == 302);
    return answer.header("Location");
  }

  std::optional<store::Connection> stored(const std::string& integration, const std::string& user,
                                          const std::string& in_account = "") {
    const std::string account = in_account.empty() ? account_id : in_account;
    const auto found = api.store().findIntegrationByName(account, integration);
    REQUIRE(found);
    return api.store().findConnection({account, found->info.id, user});
  }

  std::size_t connectionCount() { return api.store().listConnections(account_id).size(); }

  // A request to the fake's API `path`, stamped (or signed) with the connection's credentials
  // the way the descriptor says.
  flows::HttpResult callApi(const std::string& provider_id, const store::Connection& connection,
                            const std::string& path) {
    const auto* provider = api.providers().find(provider_id);
    REQUIRE(provider != nullptr);
    flows::PreparedRequest request{"GET", fake.url() + path, {}, ""};
    const auto problem =
        flows::stampRequest(provider->spec, *provider->hooks, {"client-id", client_secret},
                            connection.credentials, request);
    REQUIRE_FALSE(problem);
    return http.send(request.view());
  }

  // Every byte SQLite keeps: the database file, and the write-ahead log not yet checkpointed.
  std::string bytesAtRest() const {
    const auto file = api.dir().path() / "keyhop.db";
    return store::testing::readFile(file) + store::testing::readFile(file.string() + "-wal");
  }

  // The connection lies on disk, its credentials sealed: none of them in plaintext.
  void checkSealedAtRest(const store::Connection& connection) {
    const std::string bytes = bytesAtRest();
    REQUIRE(bytes.find(connection.info.id) != std::string::npos);  // the scan sees the row
    for (const auto& secret : secretsOf(connection.credentials)) {
      CHECK(bytes.find(secret) == std::string::npos);
    }
  }

  static std::vector<std::string> secretsOf(const Credentials& credentials) {
    std::vector<std::string> secrets;
    for (const auto* value :
         {&credentials.access_token, &credentials.refresh_token, &credentials.token_secret,
          &credentials.api_key, &credentials.password}) {
      if (!value->empty()) secrets.push_back(*value);
    }
    return secrets;
  }

  // Every secret this test met: the client secrets, the grants callbacks carried, the PKCE
  // verifier keyhop sent, and the credentials of every connection in the store.
  std::vector<std::string> secrets() {
    std::vector<std::string> secrets = grants_;
    secrets.push_back(client_secret);
    secrets.insert(secrets.end(), more_secrets.begin(), more_secrets.end());
    if (const auto token_request = fake.lastRequest(fakes::Endpoint::Token)) {
      for (const char* name : {"code", "code_verifier"}) {
        const auto value = bodyParam(token_request->body, name);
        if (!value.empty()) secrets.push_back(value);
      }
    }
    for (const auto& account : api.store().listAccounts()) {
      for (const auto& info : api.store().listConnections(account.id)) {
        const auto connection = api.store().findConnectionById(info.id);
        REQUIRE(connection);
        for (auto& secret : secretsOf(connection->credentials)) secrets.push_back(secret);
      }
    }
    return secrets;
  }

  // No secret in any log line, in any answer keyhop gave (unless `answers_may_hold_tokens`: the
  // token route answers one by design), nor in the transcript of the browser's walks.
  void checkNoSecretsLeaked(bool answers_may_hold_tokens = false) {
    const auto all = secrets();
    REQUIRE(!all.empty());
    const auto check = [](const std::string& where, const std::string& text,
                          const std::vector<std::string>& secrets) {
      for (const auto& secret : secrets) {
        if (secret.empty()) continue;
        CAPTURE(where, secret);
        CHECK(text.find(secret) == std::string::npos);
      }
    };
    for (const auto& message : logs.messages()) check("log: " + message, message, all);
    check("browser", answers_, all);
    check("api answers", api.everyResponse(),
          answers_may_hold_tokens ? std::vector<std::string>{client_secret} : all);
  }

  ApiLogCapture logs;  // first: it outlives the server, which logs until it stops
  std::string client_secret = generatedSecret("fake-client-secret");
  std::vector<std::string> more_secrets;  // other client secrets a test registers
  fakes::FakeProvider fake;
  test::TempDir dir;
  ApiServer api;
  std::string key = api.account("acme");
  std::string account_id = api.accountId(key);
  flows::HttpClient http;  // the test's own, towards the fake's API

 private:
  std::vector<std::string> grants_;
  std::string answers_;
};

// The fake's user (its "user" field) in an API echo.
inline std::string echoedUser(const flows::HttpResult& result) {
  REQUIRE(result);
  CAPTURE(result.response().body);
  REQUIRE(result.response().status == 200);
  return jsonObject(result.response().body)->getValue<std::string>("user");
}

}  // namespace keyhop::authorization::testing
