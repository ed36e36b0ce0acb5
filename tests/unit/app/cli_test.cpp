#include <catch2/catch.hpp>

#include <sstream>

#include "core/app/cli.hpp"
#include "tests/support/temp_dir.hpp"

using keyhop::test::TempDir;

namespace {

const char* kAcme = R"(id: acme
name: Acme
auth: oauth2
authorize_url: https://acme.example/oauth/authorize
token_url: https://acme.example/oauth/token
api:
  base_url: https://api.acme.example
)";

struct CliRun {
  int code;
  std::string out;
  std::string err;
};

CliRun run(const std::vector<std::string>& args, keyhop::app::Environment env = {}) {
  std::ostringstream out, err;
  keyhop::app::CliContext context{std::move(env), "/nonexistent/bin", out, err};
  const int code = keyhop::app::runCli(args, context);
  return {code, out.str(), err.str()};
}

// An environment whose catalog is exactly the given directory, with no plugins.
keyhop::app::Environment catalogAt(const TempDir& dir) {
  std::filesystem::create_directories(dir.path() / "plugins");
  return {{"KEYHOP_PROVIDERS_PATH", dir.path().string() + "/providers"},
          {"KEYHOP_PLUGIN_PATH", (dir.path() / "plugins").string()}};
}

}  // namespace

TEST_CASE("--help and --version answer and exit 0", "[app]") {
  auto help = run({"--help"});
  CHECK(help.code == 0);
  CHECK_THAT(help.out, Catch::Contains("providers check [PATH...]"));
  auto version = run({"--version"});
  CHECK(version.code == 0);
  CHECK_THAT(version.out, Catch::StartsWith("keyhop ") && Catch::Contains("plugin ABI 1."));
}

TEST_CASE("unknown commands, flags and arguments get usage and exit 2", "[app]") {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {},
           {"frobnicate"},
           {"--verbose", "serve"},
           {"--config"},
           {"serve", "--fast"},
           {"providers"},
           {"providers", "remove"},
           {"providers", "list", "--yaml"},
           {"providers", "show"},
           {"providers", "check", "--all"}}) {
    auto result = run(args);
    INFO("args: " << args.size());
    CHECK(result.code == 2);
    CHECK_THAT(result.err, Catch::Contains("usage: keyhop"));
  }
}

TEST_CASE("providers list and show read the configured catalog", "[app]") {
  TempDir dir;
  dir.write("providers/acme.yaml", kAcme);
  const auto env = catalogAt(dir);

  auto list = run({"providers", "list"}, env);
  CHECK(list.code == 0);
  CHECK_THAT(list.out, Catch::Contains("acme") && Catch::Contains("oauth2"));

  auto json = run({"providers", "list", "--json"}, env);
  CHECK(json.code == 0);
  CHECK_THAT(json.out, Catch::Contains(R"("id":"acme")"));

  auto show = run({"providers", "show", "acme"}, env);
  CHECK(show.code == 0);
  CHECK_THAT(show.out, Catch::Contains(R"("token_url":"https://acme.example/oauth/token")"));

  auto missing = run({"providers", "show", "nope"}, env);
  CHECK(missing.code == 1);
  CHECK_THAT(missing.err, Catch::Contains("no provider 'nope'"));
}

TEST_CASE("providers check lists every problem across files and exits 1", "[app]") {
  TempDir dir;
  dir.write("providers/acme.yaml", kAcme);
  dir.write("providers/bad-key.yaml", std::string(kAcme).replace(4, 4, "bad-key") + "colour: 1\n");
  dir.write("providers/bad-auth.yaml",
            "id: bad-auth\nname: Bad\nauth: oauth3\napi:\n  base_url: https://a.example\n");
  const auto env = catalogAt(dir);

  auto result = run({"providers", "check"}, env);
  CHECK(result.code == 1);
  CHECK_THAT(result.out, Catch::Contains("bad-key.yaml:8:1: unknown key 'colour'"));
  CHECK_THAT(result.out, Catch::Contains("bad-auth.yaml:3:7:"));
  CHECK_THAT(result.out, Catch::Contains("in 2 of 3 file(s)"));

  auto one = run({"providers", "check", (dir.path() / "providers/acme.yaml").string()}, env);
  CHECK(one.code == 0);
  CHECK_THAT(one.out, Catch::Contains("ok: 1 provider(s)"));

  auto absent = run({"providers", "check", (dir.path() / "nothing-here").string()}, env);
  CHECK(absent.code == 1);
  CHECK_THAT(absent.out, Catch::Contains("nothing-here: no such file or directory"));
}

TEST_CASE("a broken configuration stops the command with the problem named", "[app]") {
  auto result = run({"providers", "list"}, {{"KEYHOP_PORT", "http"}});
  CHECK(result.code == 1);
  CHECK_THAT(result.err, Catch::Contains("KEYHOP_PORT='http'"));
}
