#include "tests/fakes/fake_provider_settings.hpp"

#include <catch2/catch.hpp>

#include "tests/support/temp_dir.hpp"

using keyhop::fakes::ApiAuth;
using keyhop::fakes::ClientAuth;
using keyhop::fakes::Endpoint;
using keyhop::fakes::parseArguments;
using keyhop::fakes::StandaloneConfig;

TEST_CASE("fake-provider flags map onto the options", "[fakes]") {
  StandaloneConfig config;
  const auto errors = parseArguments({"--port",
                                      "8123",
                                      "--client=app:s3cret:http://127.0.0.1:3003/oauth/callback",
                                      "--client",
                                      "other:x",
                                      "--rotate-refresh-tokens",
                                      "--issue-refresh-tokens=false",
                                      "--access-token-ttl",
                                      "0",
                                      "--client-auth",
                                      "basic",
                                      "--api-auth=header",
                                      "--api-header",
                                      "X-Token",
                                      "--extra-field",
                                      "team.id=T1",
                                      "--callback-param",
                                      "realmId=123",
                                      "--token-delay-ms",
                                      "250",
                                      "--credential",
                                      "key-1=bench",
                                      "--credential",
                                      "key-2"},
                                     config);
  CHECK(errors.empty());
  CHECK(config.server.port == 8123);
  REQUIRE(config.options.clients.size() == 2);
  CHECK(config.options.clients[0].id == "app");
  CHECK(config.options.clients[0].secret == "s3cret");
  CHECK(config.options.clients[0].redirect_uris ==
        std::vector<std::string>{"http://127.0.0.1:3003/oauth/callback"});
  CHECK(config.options.clients[1].redirect_uris.empty());
  CHECK(config.options.rotate_refresh_tokens);
  CHECK_FALSE(config.options.issue_refresh_tokens);
  CHECK(config.options.access_token_ttl.count() == 0);
  CHECK(config.options.client_auth == ClientAuth::Basic);
  CHECK(config.options.api_auth == ApiAuth::Header);
  CHECK(config.options.api_header == "X-Token");
  REQUIRE(config.options.extra_fields.size() == 1);
  CHECK(config.options.extra_fields[0].path == "team.id");
  CHECK(config.options.callback_params ==
        std::vector<std::pair<std::string, std::string>>{{"realmId", "123"}});
  CHECK(config.options.delays.at(Endpoint::Token).count() == 250);
  CHECK(config.credentials ==
        std::vector<std::pair<std::string, std::string>>{{"key-1", "bench"}, {"key-2", "user-1"}});
}

TEST_CASE("fake-provider lists every bad flag", "[fakes]") {
  StandaloneConfig config;
  const auto errors = parseArguments(
      {"--nope", "--pkce", "sometimes", "--port", "99999", "--deny=maybe", "stray", "--user"},
      config);
  CHECK(errors == std::vector<std::string>{
                      "--nope: unknown flag", "--pkce: expects optional|required|rejected",
                      "--port: expects a port", "--deny: expects true or false",
                      "stray: unexpected argument", "--user: expects a value"});
}

TEST_CASE("fake-provider reads a YAML config, later flags override it", "[fakes]") {
  keyhop::test::TempDir dir;
  const auto path = dir.write("fake.yaml",
                              "user: jane\n"
                              "slack-style: true\n"
                              "callback-param: [a=1, b=2]\n"
                              "response-format: form\n");
  StandaloneConfig config;
  CHECK(parseArguments({"--config", path.string(), "--user", "joe"}, config).empty());
  CHECK(config.options.user == "joe");
  CHECK(config.options.slack_style);
  CHECK(config.options.callback_params.size() == 2);
  CHECK(config.options.response_format == keyhop::fakes::ResponseFormat::Form);

  const auto bad = dir.write("bad.yaml", "user: {a: 1}\nnope: 1\n");
  const auto errors = keyhop::fakes::loadConfigFile(bad.string(), config);
  CHECK(errors == std::vector<std::string>{bad.string() + ": user: expects a value or a list",
                                           bad.string() + ": nope: unknown setting"});
  CHECK(keyhop::fakes::loadConfigFile((dir.path() / "missing.yaml").string(), config).size() == 1);
}
