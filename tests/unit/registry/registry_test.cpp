#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/registry/registry.hpp"
#include "tests/support/temp_dir.hpp"

using keyhop::registry::LoadErrors;
using keyhop::registry::Registry;
using keyhop::registry::RegistrySources;
using keyhop::test::TempDir;

namespace {

std::string descriptor(const std::string& id) {
  return "id: " + id + "\nname: " + id + "\nauth: oauth2\n" +
         "authorize_url: https://" + id + ".example.com/authorize\n" +
         "token_url: https://" + id + ".example.com/token\n" +
         "api:\n  base_url: https://" + id + ".example.com/api\n";
}

std::string testPlugin(const std::string& name) {
  return (std::filesystem::path(KEYHOP_TEST_PLUGIN_DIR) / (name + ".so")).string();
}

// The errors whose file is `file`, as "file: message" strings.
std::vector<std::string> errorsFor(const LoadErrors& errors, const std::string& file) {
  std::vector<std::string> found;
  for (const auto& error : errors) {
    if (error.file == file) found.push_back(error.toString());
  }
  return found;
}

std::vector<std::string> ids(const Registry& registry) {
  std::vector<std::string> result;
  for (const auto* entry : registry.all()) result.push_back(entry->spec.id);
  return result;
}

}  // namespace

TEST_CASE("every broken plugin in a directory is refused and every good provider is kept",
          "[registry]") {
  TempDir extra;
  std::ifstream good(testPlugin("good_pair"), std::ios::binary);
  const std::string bytes{std::istreambuf_iterator<char>(good), std::istreambuf_iterator<char>()};
  const auto truncated = extra.write("truncated.so", bytes.substr(0, bytes.size() / 2)).string();

  LoadErrors errors;
  const Registry registry =
      Registry::load({{}, {KEYHOP_TEST_PLUGIN_DIR, extra.path()}}, errors);

  const auto alpha = registry.find("test-alpha");
  REQUIRE(alpha);
  CHECK(alpha->source == testPlugin("good_pair"));  // loaded first, so it wins
  for (const char* id : {"test-beta", "test-gamma", "test-delta"}) {
    INFO(id);
    CHECK(registry.find(id));
  }
  CHECK_FALSE(registry.find("test-abi-mismatch"));
  CHECK_FALSE(registry.find("test-broken"));

  CHECK(errorsFor(errors, testPlugin("good_pair")).empty());
  CHECK(errorsFor(errors, testPlugin("abi_mismatch")) ==
        std::vector<std::string>{testPlugin("abi_mismatch") +
                                 ": built for plugin ABI 99.0, this keyhop supports 1.x"});
  CHECK(errorsFor(errors, testPlugin("no_entry")) ==
        std::vector<std::string>{testPlugin("no_entry") + ": missing symbol keyhop_plugin_v1"});
  CHECK(errorsFor(errors, testPlugin("throwing_factory")) ==
        std::vector<std::string>{testPlugin("throwing_factory") +
                                 ": plugin factory failed: cannot reach the licence server"});
  CHECK(errorsFor(errors, testPlugin("throwing_entry")) ==
        std::vector<std::string>{testPlugin("throwing_entry") +
                                 ": plugin factory failed: thrown past the entry point"});
  CHECK(errorsFor(errors, testPlugin("unresolved_symbol")) ==
        std::vector<std::string>{testPlugin("unresolved_symbol") +
                                 ": cannot load: undefined symbol: "
                                 "keyhopTestFunctionNothingDefines"});
  CHECK(errorsFor(errors, testPlugin("not_a_plugin")) ==
        std::vector<std::string>{testPlugin("not_a_plugin") +
                                 ": not a keyhop plugin: no keyhop_abi symbol"});
  CHECK(errorsFor(errors, testPlugin("twin_provider")) ==
        std::vector<std::string>{testPlugin("twin_provider") +
                                 ": provider id 'test-alpha' is already defined by " +
                                 testPlugin("good_pair") + "; this definition is ignored"});
  CHECK_FALSE(errorsFor(errors, testPlugin("bad_descriptor") + " (provider 1)").empty());
  CHECK(errorsFor(errors, truncated) ==
        std::vector<std::string>{truncated +
                                 ": not a shared library (the file is truncated or unreadable)"});
}

TEST_CASE("a descriptor file and a plugin defining the same id: the first loaded wins",
          "[registry]") {
  TempDir catalog;
  const auto file = catalog.write("test-beta.yaml", descriptor("test-beta")).string();
  LoadErrors errors;
  const Registry registry = Registry::load({{catalog.path()}, {KEYHOP_TEST_PLUGIN_DIR}}, errors);

  const auto beta = registry.find("test-beta");
  REQUIRE(beta);
  CHECK(beta->source == file);
  CHECK_FALSE(beta->library);
  REQUIRE(beta->hooks);
  CHECK(errorsFor(errors, testPlugin("good_pair")) ==
        std::vector<std::string>{testPlugin("good_pair") +
                                 ": provider id 'test-beta' is already defined by " + file +
                                 "; this definition is ignored"});
  CHECK(registry.find("test-alpha"));  // the rest of that plugin still loads
}

TEST_CASE("descriptor directories load in order, a broken file hides nothing", "[registry]") {
  TempDir first;
  TempDir second;
  first.write("acme.yaml", descriptor("acme"));
  first.write("zeta.yaml", descriptor("zeta"));
  first.write("broken.yaml", "id: broken\nname: [unclosed\n");
  first.write("README.md", "not a descriptor");
  const auto again = second.write("acme.yaml", descriptor("acme")).string();
  second.write("beta.yaml", descriptor("beta"));

  LoadErrors errors;
  const Registry registry = Registry::load({{first.path(), second.path()}, {}}, errors);

  CHECK(ids(registry) == std::vector<std::string>{"acme", "beta", "zeta"});
  CHECK(registry.size() == 3);
  CHECK(registry.find("acme")->source == (first.path() / "acme.yaml").string());
  CHECK(errorsFor(errors, again) ==
        std::vector<std::string>{again + ": provider id 'acme' is already defined by " +
                                 (first.path() / "acme.yaml").string() +
                                 "; this definition is ignored"});
  CHECK_FALSE(errorsFor(errors, (first.path() / "broken.yaml").string()).empty());
}

TEST_CASE("a missing directory is an error naming it", "[registry]") {
  TempDir catalog;
  catalog.write("acme.yaml", descriptor("acme"));
  const auto missing = catalog.path() / "nowhere";

  LoadErrors errors;
  const Registry registry =
      Registry::load({{catalog.path(), missing / "providers"}, {missing / "plugins"}}, errors);

  CHECK(registry.find("acme"));
  REQUIRE(errors.size() == 2);
  CHECK(errors[0].toString() ==
        (missing / "providers").string() + ": descriptor directory not found");
  CHECK(errors[1].toString() == (missing / "plugins").string() + ": plugin directory not found");
}

TEST_CASE("add refuses a taken id and keeps the first", "[registry]") {
  TempDir catalog;
  LoadErrors errors;
  Registry registry = Registry::load({{catalog.path()}, {}}, errors);
  REQUIRE(errors.empty());
  CHECK(registry.size() == 0);

  keyhop::registry::ProviderEntry first;
  first.spec.id = "acme";
  first.source = "first.yaml";
  keyhop::registry::ProviderEntry second = first;
  second.source = "second.yaml";

  CHECK(registry.add(first, errors));
  CHECK(registry.find("acme")->hooks);  // an entry added without hooks gets declining ones
  CHECK_FALSE(registry.add(second, errors));
  CHECK(registry.find("acme")->source == "first.yaml");
  CHECK_FALSE(registry.find("other"));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].toString() ==
        "second.yaml: provider id 'acme' is already defined by first.yaml; this definition is "
        "ignored");
}
