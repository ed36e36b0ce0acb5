#include <catch2/catch.hpp>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <filesystem>

#include "tests/support/http_client.hpp"
#include "tests/support/keyhop_process.hpp"
#include "tests/support/master_keys.hpp"
#include "tests/support/temp_dir.hpp"

using keyhop::test::freePort;
using keyhop::test::httpRequest;
using keyhop::test::KeyhopProcess;
using keyhop::test::TempDir;

namespace {

std::size_t shippedDescriptorCount() {
  std::size_t count = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::filesystem::path(KEYHOP_SOURCE_DIR) /
                                           "providers.d")) {
    if (entry.path().extension() == ".yaml") ++count;
  }
  return count;
}

std::map<std::string, std::string> serveEnv(std::uint16_t port, const TempDir& data) {
  return {{"KEYHOP_PORT", std::to_string(port)},
          {"KEYHOP_DATA_DIR", data.path().string()},
          {"KEYHOP_MASTER_KEYS", keyhop::test::generatedMasterKeys()}};
}

}  // namespace

TEST_CASE("keyhop serve lists the shipped catalog and stops on SIGTERM", "[app][serve]") {
  TempDir data;
  const auto port = freePort();
  KeyhopProcess keyhop({"serve", "--strict"}, serveEnv(port, data));
  REQUIRE(keyhop.waitUntilServing(port));

  const auto list = httpRequest(port, "GET", "/v1/providers");
  REQUIRE(list.status == 200);
  CHECK_THAT(list.header("Content-Type"), Catch::StartsWith("application/json"));
  const auto providers = Poco::JSON::Parser()
                             .parse(list.body)
                             .extract<Poco::JSON::Object::Ptr>()
                             ->getArray("providers");
  CHECK(providers->size() == shippedDescriptorCount() + 1);  // + the Slack plugin
  CHECK(shippedDescriptorCount() >= 15);
  CHECK_THAT(list.body, Catch::Contains(R"("id":"slack")") &&
                            Catch::Contains(R"("id":"github")"));

  const auto github = httpRequest(port, "GET", "/v1/providers/github");
  CHECK(github.status == 200);
  CHECK_THAT(github.body, Catch::Contains("https://github.com/login/oauth/access_token"));

  const auto missing = httpRequest(port, "GET", "/v1/providers/no-such-provider");
  CHECK(missing.status == 404);
  CHECK_THAT(missing.body, Catch::Contains(R"({"error":{"code":"provider_not_found")"));

  CHECK(keyhop.terminate() == 0);
  CHECK_THAT(keyhop.errorOutput(), Catch::Contains("stopped"));
}

TEST_CASE("keyhop serve skips an invalid descriptor, or refuses to start with --strict",
          "[app][serve]") {
  TempDir dir;
  dir.write("providers/good.yaml",
            "id: good\nname: Good\nauth: api_key\napi:\n  base_url: https://api.good.example\n");
  dir.write("providers/broken.yaml", "id: broken\nname: Broken\nauth: oauth2\n");
  std::filesystem::create_directories(dir.path() / "plugins");
  auto env = serveEnv(freePort(), dir);
  env["KEYHOP_PROVIDERS_PATH"] = (dir.path() / "providers").string();
  env["KEYHOP_PLUGIN_PATH"] = (dir.path() / "plugins").string();

  SECTION("lenient: serves the valid ones and logs the invalid one") {
    const auto port = static_cast<std::uint16_t>(std::stoi(env["KEYHOP_PORT"]));
    KeyhopProcess keyhop({"serve"}, env);
    REQUIRE(keyhop.waitUntilServing(port));
    const auto list = httpRequest(port, "GET", "/v1/providers");
    CHECK_THAT(list.body, Catch::Contains(R"("id":"good")"));
    CHECK_THAT(list.body, !Catch::Contains(R"("id":"broken")"));
    CHECK(keyhop.terminate() == 0);
    CHECK_THAT(keyhop.errorOutput(), Catch::Contains("broken.yaml"));
  }
  SECTION("strict: exits 1 naming the file") {
    KeyhopProcess keyhop({"serve", "--strict"}, env);
    CHECK(keyhop.wait() == 1);
    CHECK_THAT(keyhop.errorOutput(), Catch::Contains("broken.yaml"));
  }
}

TEST_CASE("keyhop serve reports a port it cannot bind", "[app][serve]") {
  TempDir data;
  const auto port = freePort();
  KeyhopProcess first({"serve"}, serveEnv(port, data));
  REQUIRE(first.waitUntilServing(port));
  KeyhopProcess second({"serve"}, serveEnv(port, data));
  CHECK(second.wait() == 1);
  CHECK_THAT(second.errorOutput(), Catch::Contains(std::to_string(port)));
}

TEST_CASE("keyhop serve refuses to start without master keys, saying how to make them",
          "[app][serve]") {
  TempDir data;
  KeyhopProcess keyhop({"serve"}, {{"KEYHOP_PORT", std::to_string(freePort())},
                                   {"KEYHOP_DATA_DIR", data.path().string()}});
  CHECK(keyhop.wait() == 1);
  CHECK_THAT(keyhop.errorOutput(), Catch::Contains("keyhop keys init"));
}
