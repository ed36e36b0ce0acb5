#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>

#include "core/registry/plugin_loader.hpp"
#include "tests/support/temp_dir.hpp"

using keyhop::registry::loadPlugin;
using keyhop::registry::PluginLoadResult;
using keyhop::test::TempDir;

namespace {

std::filesystem::path testPlugin(const std::string& name) {
  return std::filesystem::path(KEYHOP_TEST_PLUGIN_DIR) / (name + ".so");
}

// The one error a refused plugin must produce, with the file it names.
std::string onlyError(const PluginLoadResult& result) {
  REQUIRE(result.providers.empty());
  REQUIRE(result.errors.size() == 1);
  return result.errors.front().toString();
}

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

const keyhop::registry::ProviderEntry* findIn(const PluginLoadResult& result,
                                              const std::string& id) {
  for (const auto& entry : result.providers) {
    if (entry.spec.id == id) return &entry;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("a good plugin yields each provider it defines, with its hooks", "[registry]") {
  const auto path = testPlugin("good_pair");
  const PluginLoadResult result = loadPlugin(path);
  REQUIRE(result.errors.empty());
  REQUIRE(result.providers.size() == 2);

  const auto* alpha = findIn(result, "test-alpha");
  const auto* beta = findIn(result, "test-beta");
  REQUIRE(alpha);
  REQUIRE(beta);
  CHECK(alpha->spec.token_url == "https://alpha.example.com/token");
  CHECK(beta->spec.auth == keyhop::AuthMode::ApiKey);
  CHECK(alpha->source == path.string());
  REQUIRE(alpha->library);
  CHECK(alpha->library == beta->library);
  CHECK(alpha->library->path() == path);
  CHECK(alpha->library->name() == "good-pair");
  CHECK(alpha->library->version() == "2.3.4");
  CHECK(alpha->library->abi().major == keyhop::kAbiVersion.major);

  keyhop::Credentials credentials;
  credentials.access_token = "token-1";
  keyhop::OutgoingRequest request{"GET", "https://alpha.example.com/api/me", {}, {}};
  CHECK(alpha->hooks->stampRequest(alpha->spec, {}, credentials, request) ==
        keyhop::HookStatus::Done);
  REQUIRE(request.headers.size() == 1);
  CHECK(request.headers[0].name == "X-Alpha-Token");
  CHECK(request.headers[0].value == "token-1");

  SECTION("a provider defined without hooks gets hooks that decline") {
    REQUIRE(beta->hooks);
    keyhop::OutgoingRequest other{"GET", "https://beta.example.com/api/me", {}, {}};
    CHECK(beta->hooks->stampRequest(beta->spec, {}, credentials, other) ==
          keyhop::HookStatus::Declined);
    CHECK(other.headers.empty());
  }
}

TEST_CASE("an entry keeps its plugin loaded after the load result is gone", "[registry]") {
  std::optional<keyhop::registry::ProviderEntry> alpha;
  {
    PluginLoadResult result = loadPlugin(testPlugin("good_pair"));
    REQUIRE(result.errors.empty());
    for (auto& entry : result.providers) {
      if (entry.spec.id == "test-alpha") alpha = std::move(entry);
    }
  }
  REQUIRE(alpha);
  keyhop::OutgoingRequest request{"GET", "https://alpha.example.com/api/me", {}, {}};
  CHECK(alpha->hooks->stampRequest(alpha->spec, {}, {}, request) == keyhop::HookStatus::Done);
}

TEST_CASE("a plugin built for another ABI major is refused naming both versions", "[registry]") {
  const auto path = testPlugin("abi_mismatch");
  CHECK(onlyError(loadPlugin(path)) ==
        path.string() + ": built for plugin ABI 99.0, this keyhop supports 1.x");
}

TEST_CASE("a plugin without the entry alias is refused", "[registry]") {
  const auto path = testPlugin("no_entry");
  CHECK(onlyError(loadPlugin(path)) == path.string() + ": missing symbol keyhop_plugin_v1");
}

TEST_CASE("a throwing factory is reported with its message", "[registry]") {
  const auto path = testPlugin("throwing_factory");
  CHECK(onlyError(loadPlugin(path)) ==
        path.string() + ": plugin factory failed: cannot reach the licence server");
}

TEST_CASE("an entry point that throws is reported, not fatal", "[registry]") {
  const auto path = testPlugin("throwing_entry");
  CHECK(onlyError(loadPlugin(path)) ==
        path.string() + ": plugin factory failed: thrown past the entry point");
}

TEST_CASE("a shared library that is not a keyhop plugin is refused unloaded", "[registry]") {
  const auto path = testPlugin("not_a_plugin");
  CHECK(onlyError(loadPlugin(path)) ==
        path.string() + ": not a keyhop plugin: no keyhop_abi symbol");
}

TEST_CASE("a plugin with an unresolved symbol is refused with dlopen's reason", "[registry]") {
  const auto path = testPlugin("unresolved_symbol");
  CHECK(onlyError(loadPlugin(path)) ==
        path.string() + ": cannot load: undefined symbol: keyhopTestFunctionNothingDefines");
}

TEST_CASE("files that are not shared libraries are refused", "[registry]") {
  TempDir dir;
  const std::string good = readFile(testPlugin("good_pair"));
  REQUIRE(good.size() > 1000);

  SECTION("a truncated plugin") {
    const auto path = dir.write("truncated.so", good.substr(0, good.size() / 2));
    CHECK(onlyError(loadPlugin(path)) ==
          path.string() + ": not a shared library (the file is truncated or unreadable)");
  }
  SECTION("a text file") {
    const auto path = dir.write("notes.so", std::string(200, 'x'));
    CHECK(onlyError(loadPlugin(path)) ==
          path.string() + ": not a shared library (Unsupported binary format)");
  }
  SECTION("an empty file") {
    const auto path = dir.write("empty.so", "");
    CHECK_THAT(onlyError(loadPlugin(path)),
               Catch::StartsWith(path.string() + ": not a shared library ("));
  }
}

TEST_CASE("a stripped plugin still loads", "[registry]") {
  TempDir dir;
  const auto path = dir.path() / "stripped.so";
  std::filesystem::copy_file(testPlugin("good_pair"), path);
  REQUIRE(std::system(("strip --strip-unneeded '" + path.string() + "'").c_str()) == 0);
  const PluginLoadResult result = loadPlugin(path);
  CHECK(result.errors.empty());
  CHECK(result.providers.size() == 2);
}

TEST_CASE("an invalid descriptor in a plugin is that plugin's error, its other providers load",
          "[registry]") {
  const auto path = testPlugin("bad_descriptor");
  const PluginLoadResult result = loadPlugin(path);
  REQUIRE(result.providers.size() == 1);
  CHECK(result.providers[0].spec.id == "test-delta");
  REQUIRE_FALSE(result.errors.empty());
  bool positioned = false;
  for (const auto& error : result.errors) {
    CHECK(error.file == path.string() + " (provider 1)");
    positioned = positioned || error.line > 0;
  }
  CHECK(positioned);
  CHECK_THAT(result.errors[0].toString() + result.errors.back().toString(),
             Catch::Contains("tokn_url"));
}
