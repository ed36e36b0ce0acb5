#include "core/vault/key_ring.hpp"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "core/vault/base64.hpp"
#include "tests/support/temp_dir.hpp"

using keyhop::test::TempDir;
using keyhop::vault::encodeBase64;
using keyhop::vault::KeyRing;
using keyhop::vault::KeyRingError;
using keyhop::vault::MasterKey;

namespace {

// Standard base64 of `size` bytes all equal to `fill`.
std::string keyText(char fill, std::size_t size = 32) {
  return encodeBase64(std::string(size, fill));
}

std::string bytesOf(const MasterKey& key) {
  return std::string(reinterpret_cast<const char*>(key.bytes.data()), key.bytes.size());
}

// The message of the KeyRingError `action` throws; fails the test if it throws none.
template <typename Action>
std::string errorOf(Action action) {
  try {
    action();
  } catch (const KeyRingError& error) {
    return error.what();
  }
  FAIL("no KeyRingError");
  return {};
}

unsigned modeOf(const std::filesystem::path& file) {
  struct stat status {};
  REQUIRE(::stat(file.c_str(), &status) == 0);
  return status.st_mode & 07777;
}

std::filesystem::path writeKeyFile(const TempDir& dir, const std::string& content,
                                   unsigned mode = 0600) {
  const auto file = dir.write("master.keys", content);
  REQUIRE(::chmod(file.c_str(), mode) == 0);
  return file;
}

}  // namespace

TEST_CASE("KEYHOP_MASTER_KEYS form: first key active, all found", "[vault]") {
  const auto ring =
      KeyRing::parse("new:" + keyText('b') + ", old:" + keyText('a') + "\n", "KEYHOP_MASTER_KEYS");
  REQUIRE(ring.keys().size() == 2);
  CHECK(ring.active().id == "new");
  CHECK(bytesOf(ring.active()) == std::string(32, 'b'));
  REQUIRE(ring.find("old"));
  CHECK(bytesOf(*ring.find("old")) == std::string(32, 'a'));
  CHECK(ring.find("other") == nullptr);
}

TEST_CASE("KEYHOP_MASTER_KEYS errors name every problem, never the key", "[vault]") {
  const auto secret = keyText('s');
  CHECK_THAT(errorOf([] { KeyRing::parse("", "KEYHOP_MASTER_KEYS"); }),
             Catch::Contains("KEYHOP_MASTER_KEYS: no master keys"));
  const auto message = errorOf([&] {
    KeyRing::parse(secret + ",bad id:" + secret + ",k1:" + secret + ",k1:" + secret +
                       ",k2:not base64!,k3:" + keyText('x', 16),
                   "KEYHOP_MASTER_KEYS");
  });
  CHECK_THAT(message, Catch::Contains("KEYHOP_MASTER_KEYS entry 1: expected ID:BASE64"));
  CHECK_THAT(message, Catch::Contains("KEYHOP_MASTER_KEYS entry 2: a key id must be"));
  CHECK_THAT(message, Catch::Contains(
                          "entry 4: key 'k1' appears twice (first at KEYHOP_MASTER_KEYS entry 3)"));
  CHECK_THAT(message, Catch::Contains("entry 5: key 'k2' is not standard base64"));
  CHECK_THAT(message, Catch::Contains("entry 6: key 'k3' is 16 bytes; a master key is 32"));
  CHECK_THAT(message, !Catch::Contains(secret) && !Catch::Contains("bad id") &&
                          !Catch::Contains("not base64!"));
}

TEST_CASE("a key file is read with comments and blank lines, first key active", "[vault]") {
  TempDir dir;
  const auto file =
      writeKeyFile(dir, "# keys\n\nk2 " + keyText('2') + "\r\n  k1\t" + keyText('1') + "  \n# end");
  const auto ring = KeyRing::load(file);
  REQUIRE(ring.keys().size() == 2);
  CHECK(ring.active().id == "k2");
  CHECK(bytesOf(*ring.find("k1")) == std::string(32, '1'));
}

TEST_CASE("a key file others may read is refused", "[vault]") {
  TempDir dir;
  const auto file = writeKeyFile(dir, "k1 " + keyText('1') + "\n", 0644);
  const auto message = errorOf([&] { KeyRing::load(file); });
  CHECK_THAT(message, Catch::Contains(file.string() + ": mode 0644 lets group or others read"));
  CHECK_THAT(message, Catch::Contains("chmod 600"));
  REQUIRE(::chmod(file.c_str(), 0640) == 0);
  CHECK_THAT(errorOf([&] { KeyRing::load(file); }), Catch::Contains("mode 0640"));
  REQUIRE(::chmod(file.c_str(), 0400) == 0);
  CHECK(KeyRing::load(file).active().id == "k1");
}

TEST_CASE("key file problems are named with file:line, all of them", "[vault]") {
  TempDir dir;
  const auto secret = keyText('s');
  const auto file = writeKeyFile(dir, "k1 " + secret + "\n" +        // 1
                                          "# comment\n" +            // 2
                                          "k2 " + secret + " x\n" +  // 3
                                          secret + "\n" +            // 4
                                          "k1 " + keyText('t') + "\n");
  const auto message = errorOf([&] { KeyRing::load(file); });
  const auto name = file.string();
  CHECK_THAT(message, Catch::Contains(name + ":3: expected \"ID BASE64\""));
  CHECK_THAT(message, Catch::Contains(name + ":4: expected \"ID BASE64\""));
  CHECK_THAT(message,
             Catch::Contains(name + ":5: key 'k1' appears twice (first at " + name + ":1)"));
  CHECK_THAT(message, !Catch::Contains(secret) && !Catch::Contains(keyText('t')));
}

TEST_CASE("a key file without keys, or missing, is refused", "[vault]") {
  TempDir dir;
  const auto file = writeKeyFile(dir, "# nothing here\n");
  CHECK_THAT(errorOf([&] { KeyRing::load(file); }),
             Catch::Equals(file.string() + ": no master keys"));
  CHECK_THAT(errorOf([&] { KeyRing::load(dir.path() / "absent.keys"); }),
             Catch::Contains("absent.keys: No such file or directory"));
}

TEST_CASE("createFile makes a 0600 file with one fresh key and never overwrites", "[vault]") {
  TempDir dir;
  const auto file = dir.path() / "master.keys";
  const auto ring = KeyRing::createFile(file);
  REQUIRE(ring.keys().size() == 1);
  CHECK(ring.active().id == "k1");
  CHECK(bytesOf(ring.active()) != std::string(32, '\0'));
  CHECK(modeOf(file) == 0600);
  const auto loaded = KeyRing::load(file);
  CHECK(bytesOf(loaded.active()) == bytesOf(ring.active()));

  CHECK_THAT(errorOf([&] { KeyRing::createFile(file); }), Catch::Contains("already there"));
  CHECK(bytesOf(KeyRing::load(file).active()) == bytesOf(ring.active()));
  CHECK(bytesOf(KeyRing::createFile(dir.path() / "other.keys").active()) != bytesOf(ring.active()));
}

TEST_CASE("save writes a 0600 file that loads back the same ring", "[vault]") {
  TempDir dir;
  const auto file = dir.path() / "master.keys";
  const auto ring = KeyRing::createFile(file).withNewActiveKey();
  ring.save(file);
  CHECK(modeOf(file) == 0600);
  const auto loaded = KeyRing::load(file);
  REQUIRE(loaded.keys().size() == 2);
  for (std::size_t i = 0; i < 2; ++i) {
    CHECK(loaded.keys()[i].id == ring.keys()[i].id);
    CHECK(bytesOf(loaded.keys()[i]) == bytesOf(ring.keys()[i]));
  }
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    ++files;
  }
  CHECK(files == 1);  // no temp file left behind
}

TEST_CASE("withNewActiveKey puts a fresh key with an unused id in front", "[vault]") {
  const auto ring =
      KeyRing::parse("main:" + keyText('m') + ",k7:" + keyText('7'), "KEYHOP_MASTER_KEYS");
  const auto rotated = ring.withNewActiveKey();
  REQUIRE(rotated.keys().size() == 3);
  CHECK(rotated.active().id == "k8");
  CHECK(rotated.keys()[1].id == "main");
  CHECK(rotated.keys()[2].id == "k7");
  CHECK(bytesOf(rotated.active()) != bytesOf(*rotated.find("main")));
  CHECK(ring.keys().size() == 2);  // the original is unchanged
  CHECK(rotated.withNewActiveKey().active().id == "k9");
  CHECK(KeyRing::parse("main:" + keyText('m'), "env").withNewActiveKey().active().id == "k1");
}

TEST_CASE("without drops a retired key but never the active or an absent one", "[vault]") {
  const auto ring = KeyRing::parse("k2:" + keyText('2') + ",k1:" + keyText('1'), "env");
  const auto retired = ring.without("k1");
  REQUIRE(retired.keys().size() == 1);
  CHECK(retired.active().id == "k2");
  CHECK_THAT(errorOf([&] { ring.without("k2"); }), Catch::Contains("key 'k2' is the active key"));
  CHECK_THAT(errorOf([&] { ring.without("k9"); }), Catch::Contains("has no key 'k9'"));
}
