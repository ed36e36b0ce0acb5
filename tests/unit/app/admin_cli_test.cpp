#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <fstream>
#include <random>
#include <sstream>

#include "core/app/cli.hpp"
#include "core/vault/key_ring.hpp"
#include "tests/support/temp_dir.hpp"

using keyhop::test::TempDir;

namespace {

struct CliRun {
  int code;
  std::string out;
  std::string err;
};

// The admin commands against a fresh data directory and the shipped catalog.
class AdminCli {
 public:
  CliRun operator()(const std::vector<std::string>& args) const {
    std::ostringstream out, err;
    keyhop::app::CliContext context{env_, "/nonexistent/bin", out, err};
    const int code = keyhop::app::runCli(args, context);
    return {code, out.str(), err.str()};
  }
  const TempDir& dir() const { return dir_; }
  std::filesystem::path keyFile() const { return dir_.path() / "var" / "master.keys"; }

 private:
  TempDir dir_;
  keyhop::app::Environment env_{
      {"KEYHOP_DATA_DIR", (dir_.path() / "var").string()},
      {"KEYHOP_PROVIDERS_PATH", std::string(KEYHOP_SOURCE_DIR) + "/providers.d"},
      {"KEYHOP_PLUGIN_PATH", KEYHOP_PLUGIN_DIR}};
};

std::string secretKeyIn(const std::string& text) {
  const auto at = text.find("secret key: ");
  REQUIRE(at != std::string::npos);
  return text.substr(at + 12, text.find('\n', at) - at - 12);
}

}  // namespace

TEST_CASE("keys init creates a private key file once", "[app][vault]") {
  AdminCli keyhop;
  auto init = keyhop({"keys", "init"});
  REQUIRE(init.code == 0);
  struct stat info {};
  REQUIRE(stat(keyhop.keyFile().c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);

  const auto before = keyhop.dir().path() / "before";
  std::filesystem::copy_file(keyhop.keyFile(), before);
  auto again = keyhop({"keys", "init"});
  CHECK(again.code == 1);
  CHECK_THAT(again.err, Catch::Contains(keyhop.keyFile().string()));
  const auto read = [](const std::filesystem::path& p) {
    std::ostringstream s;
    s << std::ifstream(p).rdbuf();
    return s.str();
  };
  CHECK(read(before) == read(keyhop.keyFile()));
}

TEST_CASE("commands that need the store say how to create the missing key file", "[app]") {
  AdminCli keyhop;
  auto result = keyhop({"accounts", "list"});
  CHECK(result.code == 1);
  CHECK_THAT(result.err, Catch::Contains("keyhop keys init"));
}

TEST_CASE("accounts: the secret key is printed once and never listed", "[app][store]") {
  AdminCli keyhop;
  REQUIRE(keyhop({"keys", "init"}).code == 0);
  auto created = keyhop({"accounts", "create", "acme"});
  REQUIRE(created.code == 0);
  const std::string secret = secretKeyIn(created.out);
  CHECK_THAT(secret, Catch::StartsWith("sk_"));
  CHECK(secret.size() > 40);

  auto list = keyhop({"accounts", "list"});
  CHECK(list.code == 0);
  CHECK_THAT(list.out, Catch::Contains("acme") && Catch::Contains("pk_"));
  CHECK_THAT(list.out, !Catch::Contains(secret));

  auto duplicate = keyhop({"accounts", "create", "acme"});
  CHECK(duplicate.code == 1);
  CHECK_THAT(duplicate.err, Catch::Contains("exists already"));
}

TEST_CASE("integrations add takes the client secret from a file, never echoes it",
          "[app][store]") {
  AdminCli keyhop;
  REQUIRE(keyhop({"keys", "init"}).code == 0);
  REQUIRE(keyhop({"accounts", "create", "acme"}).code == 0);
  const std::string client_secret = "cs-" + std::to_string(std::random_device{}());
  const auto secret_file = keyhop.dir().write("client-secret", client_secret + "\n");

  auto added = keyhop({"integrations", "add", "acme", "github", "--client-id", "id-1",
                       "--client-secret-file", secret_file.string(), "--return-url",
                       "https://app.acme.example/connected"});
  REQUIRE(added.code == 0);
  CHECK_THAT(added.out, Catch::Contains("scopes: read:user user:email"));

  auto eu = keyhop({"integrations", "add", "acme", "github", "--name", "github-eu",
                    "--client-id", "id-2", "--client-secret-file", secret_file.string(),
                    "--scope", "repo"});
  REQUIRE(eu.code == 0);

  auto list = keyhop({"integrations", "list", "acme"});
  CHECK(list.code == 0);
  CHECK_THAT(list.out, Catch::Contains("github-eu") && Catch::Contains("repo"));
  for (const auto& output : {added.out, added.err, eu.out, list.out}) {
    CHECK_THAT(output, !Catch::Contains(client_secret));
  }

  SECTION("bad input is refused with the reason") {
    auto taken = keyhop({"integrations", "add", "acme", "github", "--client-id", "x",
                         "--client-secret-file", secret_file.string()});
    CHECK(taken.code == 1);
    CHECK_THAT(taken.err, Catch::Contains("named 'github' already"));

    auto unknown = keyhop({"integrations", "add", "acme", "nope", "--client-id", "x",
                           "--client-secret-file", secret_file.string()});
    CHECK(unknown.code == 1);
    CHECK_THAT(unknown.err, Catch::Contains("no provider 'nope'"));

    auto no_account = keyhop({"integrations", "add", "globex", "gitlab", "--client-id", "x",
                              "--client-secret-file", secret_file.string()});
    CHECK(no_account.code == 1);
    CHECK_THAT(no_account.err, Catch::Contains("no account 'globex'"));

    auto no_secret = keyhop({"integrations", "add", "acme", "gitlab", "--client-id", "x"});
    CHECK(no_secret.code == 2);

    auto secret_on_line = keyhop({"integrations", "add", "acme", "gitlab", "--client-id", "x",
                                  "--client-secret", "oops"});
    CHECK(secret_on_line.code == 2);
    CHECK_THAT(secret_on_line.err, Catch::Contains("unknown option '--client-secret'"));

    auto bad_url = keyhop({"integrations", "add", "acme", "gitlab", "--client-id", "x",
                           "--client-secret-file", secret_file.string(), "--return-url",
                           "http://evil.example/"});
    CHECK(bad_url.code == 1);
    CHECK_THAT(bad_url.err, Catch::Contains("https"));
  }
}

TEST_CASE("keys rotate re-encrypts everything, retire refuses while a key is in use",
          "[app][vault][store]") {
  AdminCli keyhop;
  REQUIRE(keyhop({"keys", "init"}).code == 0);
  REQUIRE(keyhop({"accounts", "create", "acme"}).code == 0);
  const auto secret_file = keyhop.dir().write("client-secret", "generated-secret");
  for (const auto* name : {"one", "two", "three"}) {
    REQUIRE(keyhop({"integrations", "add", "acme", "github", "--name", name, "--client-id", "x",
                    "--client-secret-file", secret_file.string()})
                .code == 0);
  }

  // A new active key without re-encryption: k1 still seals the three client secrets.
  keyhop::vault::KeyRing::load(keyhop.keyFile()).withNewActiveKey().save(keyhop.keyFile());
  auto refused = keyhop({"keys", "retire", "k1"});
  CHECK(refused.code == 1);
  CHECK_THAT(refused.err, Catch::Contains("still seals 3 secret(s)"));
  CHECK(keyhop::vault::KeyRing::load(keyhop.keyFile()).find("k1"));

  auto rotated = keyhop({"keys", "rotate", "--batch", "2"});
  REQUIRE(rotated.code == 0);
  CHECK_THAT(rotated.out, Catch::Contains("new active key k3"));
  CHECK_THAT(rotated.out, Catch::Contains("re-encrypted 3 secret(s)"));

  CHECK(keyhop({"keys", "retire", "k3"}).code == 1);  // the active key
  CHECK(keyhop({"keys", "retire", "k1"}).code == 0);
  CHECK(keyhop({"keys", "retire", "k2"}).code == 0);
  auto list = keyhop({"keys", "list"});
  CHECK_THAT(list.out, Catch::Contains("k3") && !Catch::Contains("k1"));
  CHECK(keyhop({"integrations", "list", "acme"}).code == 0);
}
