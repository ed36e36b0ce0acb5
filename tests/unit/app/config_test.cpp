#include <catch2/catch.hpp>

#include "core/app/config.hpp"
#include "tests/support/temp_dir.hpp"

using keyhop::app::ConfigError;
using keyhop::app::Environment;
using keyhop::app::loadConfig;
using keyhop::test::TempDir;

TEST_CASE("defaults serve a newcomer on loopback", "[app]") {
  const auto config = loadConfig(std::nullopt, {}, "/opt/keyhop/bin");
  CHECK(config.bind == "127.0.0.1");
  CHECK(config.port == 8080);
  CHECK(config.data_dir == "var");
  REQUIRE(config.providers_path.size() == 1);
  CHECK(config.providers_path[0] == "/opt/keyhop/share/keyhop/providers.d");
  REQUIRE(config.plugin_path.size() == 1);
  CHECK(config.plugin_path[0] == "/opt/keyhop/lib/keyhop/plugins");
  CHECK_FALSE(config.strict);
}

TEST_CASE("the environment overrides the config file", "[app]") {
  TempDir dir;
  const auto file = dir.write("keyhop.yaml",
                              "port: 9000\n"
                              "bind: 0.0.0.0\n"
                              "providers_path: [/a, /b]\n"
                              "plugin_path: /p1:/p2\n"
                              "strict: true\n");
  const Environment env{{"KEYHOP_PORT", "9100"}, {"KEYHOP_PLUGIN_PATH", "/x:/y:/z"}};
  const auto config = loadConfig(file, env, "/bin");
  CHECK(config.port == 9100);
  CHECK(config.bind == "0.0.0.0");
  CHECK(config.providers_path == std::vector<std::filesystem::path>{"/a", "/b"});
  CHECK(config.plugin_path == std::vector<std::filesystem::path>{"/x", "/y", "/z"});
  CHECK(config.strict);
}

TEST_CASE("KEYHOP_CONFIG names the file when --config is absent", "[app]") {
  TempDir dir;
  const auto file = dir.write("k.yaml", "log_level: debug\n");
  const auto config = loadConfig(std::nullopt, {{"KEYHOP_CONFIG", file.string()}}, "/bin");
  CHECK(config.log_level == "debug");
}

TEST_CASE("every bad setting in a config file is named with its position", "[app]") {
  TempDir dir;
  const auto file = dir.write("bad.yaml",
                              "port: eighty\n"
                              "colour: blue\n"
                              "bind: 127.0.0.1\n"
                              "bind: 0.0.0.0\n"
                              "log_level: loud\n");
  try {
    loadConfig(file, {}, "/bin");
    FAIL("a bad config file was accepted");
  } catch (const ConfigError& e) {
    const std::string message = e.what();
    CHECK_THAT(message, Catch::Contains(file.string() + ":1:7: 'port' must be a port number"));
    CHECK_THAT(message, Catch::Contains(file.string() + ":2:1: unknown setting 'colour'"));
    CHECK_THAT(message, Catch::Contains(file.string() + ":4:1: 'bind' is set twice"));
    CHECK_THAT(message, Catch::Contains(file.string() + ":5:12: 'log_level' must be one of"));
  }
}

TEST_CASE("a bad environment variable is named with what was expected", "[app]") {
  CHECK_THROWS_WITH(loadConfig(std::nullopt, {{"KEYHOP_PORT", "70000"}}, "/bin"),
                    Catch::Contains("KEYHOP_PORT='70000': expected a port number"));
  CHECK_THROWS_WITH(loadConfig(std::nullopt, {{"KEYHOP_WORKER_THREADS", "0"}}, "/bin"),
                    Catch::Contains("KEYHOP_WORKER_THREADS='0'"));
}

TEST_CASE("a config file that is not YAML or cannot be read is refused", "[app]") {
  TempDir dir;
  const auto broken = dir.write("broken.yaml", "port: [8080\n");
  CHECK_THROWS_WITH(loadConfig(broken, {}, "/bin"), Catch::Contains(broken.string() + ":"));
  CHECK_THROWS_WITH(loadConfig(dir.path() / "missing.yaml", {}, "/bin"),
                    Catch::Contains("cannot read the config file"));
}

TEST_CASE("the store and master keys default to files in the data directory", "[app]") {
  const auto config = loadConfig(std::nullopt, {{"KEYHOP_DATA_DIR", "/srv/keyhop"}}, "/bin");
  CHECK(config.store == "sqlite:///srv/keyhop/keyhop.db");
  CHECK(config.master_key_file == "/srv/keyhop/master.keys");
  CHECK(config.master_keys.empty());
}

TEST_CASE("master keys come only from the environment and are never echoed", "[app]") {
  TempDir dir;
  const auto file = dir.write("keyhop.yaml", "master_keys: k1:c2VjcmV0\n");
  CHECK_THROWS_WITH(loadConfig(file, {}, "/bin"), Catch::Contains("unknown setting 'master_keys'"));

  const auto config = loadConfig(std::nullopt, {{"KEYHOP_MASTER_KEYS", "k1:c2VjcmV0"}}, "/bin");
  CHECK(config.master_keys == "k1:c2VjcmV0");

  const std::string password_url = "mysql://keyhop:hunter2@db/keyhop";
  try {
    loadConfig(std::nullopt, {{"KEYHOP_STORE", password_url}}, "/bin");
    FAIL("an unknown store scheme was accepted");
  } catch (const ConfigError& e) {
    CHECK_THAT(e.what(), Catch::Contains("KEYHOP_STORE: expected a store URL"));
    CHECK_THAT(e.what(), !Catch::Contains("hunter2"));
  }
}

TEST_CASE("public_url defaults to the listening address and must be a plain base URL", "[app]") {
  CHECK(loadConfig(std::nullopt, {{"KEYHOP_PORT", "9100"}}, "/bin").public_url ==
        "http://127.0.0.1:9100");
  CHECK(loadConfig(std::nullopt, {{"KEYHOP_BIND", "::1"}}, "/bin").public_url ==
        "http://[::1]:8080");
  CHECK(loadConfig(std::nullopt, {{"KEYHOP_PUBLIC_URL", "https://auth.example/keyhop/"}}, "/bin")
            .public_url == "https://auth.example/keyhop");
  for (const char* bad : {"auth.example", "ftp://auth.example", "https://auth.example/?a=1",
                          "https://auth.example/#x", "https://u:p@auth.example", "https://"}) {
    INFO(bad);
    CHECK_THROWS_WITH(loadConfig(std::nullopt, {{"KEYHOP_PUBLIC_URL", bad}}, "/bin"),
                      Catch::Contains("KEYHOP_PUBLIC_URL"));
  }
}

TEST_CASE("the proactive refresher is on by default and set from the file or environment",
          "[app]") {
  const auto defaults = loadConfig(std::nullopt, {}, "/bin");
  CHECK(defaults.proactive_refresh);
  CHECK(defaults.proactive_refresh_interval_s == 60);
  CHECK(defaults.proactive_refresh_concurrency == 8);
  CHECK(defaults.proactive_refresh_jitter_s == 10);

  TempDir dir;
  const auto file = dir.write("keyhop.yaml",
                              "proactive_refresh: false\n"
                              "proactive_refresh_interval_s: 30\n"
                              "proactive_refresh_jitter_s: 0\n");
  const auto config = loadConfig(file, {{"KEYHOP_PROACTIVE_REFRESH_CONCURRENCY", "16"}}, "/bin");
  CHECK_FALSE(config.proactive_refresh);
  CHECK(config.proactive_refresh_interval_s == 30);
  CHECK(config.proactive_refresh_concurrency == 16);
  CHECK(config.proactive_refresh_jitter_s == 0);

  CHECK_THROWS_WITH(
      loadConfig(std::nullopt, {{"KEYHOP_PROACTIVE_REFRESH_CONCURRENCY", "0"}}, "/bin"),
      Catch::Contains("KEYHOP_PROACTIVE_REFRESH_CONCURRENCY='0': expected a number of renewals"));
  CHECK_THROWS_WITH(
      loadConfig(std::nullopt, {{"KEYHOP_PROACTIVE_REFRESH_INTERVAL_S", "0"}}, "/bin"),
      Catch::Contains("KEYHOP_PROACTIVE_REFRESH_INTERVAL_S='0'"));
}

TEST_CASE("the refresh lease must outlast the provider timeouts", "[app]") {
  const auto defaults = loadConfig(std::nullopt, {}, "/bin");
  CHECK(defaults.provider_connect_timeout_ms == 5000);
  CHECK(defaults.provider_read_timeout_ms == 15000);
  CHECK(defaults.refresh_lease_ms == 30000);

  const auto shortened = loadConfig(std::nullopt,
                                    {{"KEYHOP_PROVIDER_CONNECT_TIMEOUT_MS", "300"},
                                     {"KEYHOP_PROVIDER_READ_TIMEOUT_MS", "1000"},
                                     {"KEYHOP_REFRESH_LEASE_MS", "1500"}},
                                    "/bin");
  CHECK(shortened.provider_connect_timeout_ms == 300);
  CHECK(shortened.provider_read_timeout_ms == 1000);
  CHECK(shortened.refresh_lease_ms == 1500);

  // 20 s of default timeouts would outlast a 20 s lease.
  CHECK_THROWS_WITH(loadConfig(std::nullopt, {{"KEYHOP_REFRESH_LEASE_MS", "20000"}}, "/bin"),
                    Catch::Contains("refresh_lease_ms (20000) must exceed"));
  CHECK_THROWS_WITH(loadConfig(std::nullopt, {{"KEYHOP_REFRESH_LEASE_MS", "0"}}, "/bin"),
                    Catch::Contains("KEYHOP_REFRESH_LEASE_MS"));
}
