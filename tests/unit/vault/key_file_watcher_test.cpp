#include "core/vault/key_file_watcher.hpp"

#include <Poco/Channel.h>
#include <Poco/Logger.h>
#include <Poco/Message.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/vault/base64.hpp"
#include "tests/support/temp_dir.hpp"

using keyhop::test::TempDir;
using keyhop::vault::encodeBase64;
using keyhop::vault::KeyFileWatcher;
using keyhop::vault::KeyFileWatchTiming;
using keyhop::vault::KeyRing;
using keyhop::vault::OpenError;
using keyhop::vault::Vault;
using namespace std::chrono_literals;

namespace {

const std::string kContext = "connections/credentials/7";

// Collects what is logged on "keyhop.vault" while it lives.
class LogCapture final : public Poco::Channel {
 public:
  LogCapture()
      : logger_(Poco::Logger::get("keyhop.vault")),
        previous_(logger_.getChannel()),
        level_(logger_.getLevel()) {
    logger_.setChannel(Poco::Channel::Ptr(this, true));  // shared: this object is the test's
    logger_.setLevel(Poco::Message::PRIO_INFORMATION);
  }
  ~LogCapture() override {
    logger_.setChannel(previous_);
    logger_.setLevel(level_);
  }

  void log(const Poco::Message& message) override {
    std::lock_guard<std::mutex> lock(mutex_);
    lines_.push_back(message.getText());
  }

  std::vector<std::string> lines() {
    std::lock_guard<std::mutex> lock(mutex_);
    return lines_;
  }

 private:
  Poco::Logger& logger_;
  Poco::Channel::Ptr previous_;
  int level_;
  std::mutex mutex_;
  std::vector<std::string> lines_;
};

// Polls `done` for up to 5 s.
bool eventually(const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return done();
}

bool logged(LogCapture& log, const std::string& text) {
  for (const auto& line : log.lines()) {
    if (line.find(text) != std::string::npos) return true;
  }
  return false;
}

// Replaces `file` at once with `text` (mode 0600), as KeyRing::save does.
void replaceFile(const std::filesystem::path& file, const std::string& text) {
  const auto temp = file.string() + ".new";
  std::ofstream(temp, std::ios::binary) << text;
  std::filesystem::permissions(
      temp, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  std::filesystem::rename(temp, file);
}

}  // namespace

TEST_CASE("the watcher loads a rewritten key file into the vault", "[vault]") {
  TempDir dir;
  const auto file = dir.path() / "master.keys";
  const auto ring = KeyRing::createFile(file);
  Vault vault(ring);
  LogCapture log;
  KeyFileWatcher watcher(vault, file, KeyFileWatchTiming{20ms, 5ms});
  const auto old_value = vault.seal("old", kContext);
  CHECK(log.lines().empty());  // the file holds the ring the vault has: nothing to reload

  const auto rotated = ring.withNewActiveKey();
  rotated.save(file);
  REQUIRE(eventually([&] { return vault.keys()->active().id == "k2"; }));
  CHECK(logged(log, "master keys reloaded: active key k2, 2 key(s)"));
  CHECK(Vault::keyIdOf(vault.seal("new", kContext)) == std::string("k2"));
  CHECK(vault.open(old_value, kContext).plaintext == std::string("old"));

  rotated.without("k1").save(file);
  REQUIRE(eventually([&] { return vault.keys()->keys().size() == 1; }));
  CHECK(logged(log, "master keys reloaded: active key k2, 1 key(s)"));
}

TEST_CASE("a key file that does not load is logged and the vault keeps its ring", "[vault]") {
  TempDir dir;
  const auto file = dir.path() / "master.keys";
  const auto ring = KeyRing::createFile(file);
  Vault vault(ring);
  LogCapture log;
  KeyFileWatcher watcher(vault, file, KeyFileWatchTiming{20ms, 5ms});
  const auto value = vault.seal("kept", kContext);

  const std::string valid_key = encodeBase64(std::string(32, 'v'));
  replaceFile(file, "k7 " + valid_key + "\nk8 c2hvcnQ=\n");  // line 2: 5 bytes, not 32
  REQUIRE(eventually([&] { return logged(log, "master.keys:2"); }));
  for (const auto& line : log.lines()) CHECK_THAT(line, !Catch::Contains(valid_key));
  CHECK(vault.keys()->active().id == "k1");
  CHECK(vault.open(value, kContext).plaintext == std::string("kept"));

  std::filesystem::remove(file);
  REQUIRE(eventually([&] { return logged(log, "cannot read the master key file"); }));
  CHECK(vault.keys()->active().id == "k1");

  ring.withNewActiveKey().save(file);  // a good file again is picked up
  REQUIRE(eventually([&] { return vault.keys()->active().id == "k2"; }));
}

TEST_CASE("a value sealed with a key just written to the file opens before the next look",
          "[vault]") {
  TempDir dir;
  const auto file = dir.path() / "master.keys";
  const auto ring = KeyRing::createFile(file);
  Vault vault(ring);
  auto watcher = std::make_unique<KeyFileWatcher>(vault, file, KeyFileWatchTiming{1h, 200ms});

  // Another process rotates: it writes the file, then seals with the new key.
  const auto rotated = ring.withNewActiveKey();
  rotated.save(file);
  const auto sealed = Vault(rotated).seal("rotated", kContext);
  const auto asked = std::chrono::steady_clock::now();
  CHECK(vault.open(sealed, kContext).plaintext == std::string("rotated"));
  CHECK(vault.keys()->active().id == "k2");

  // A key in no file still fails, once the file has been looked at again.
  const auto stranger = Vault(KeyRing::parse("k9:" + encodeBase64(std::string(32, 's')), "test"))
                            .seal("lost", kContext);
  CHECK(vault.open(stranger, kContext).error == OpenError::UnknownKey);
  CHECK(std::chrono::steady_clock::now() - asked < 2s);

  const auto stopping = std::chrono::steady_clock::now();
  watcher.reset();
  CHECK(std::chrono::steady_clock::now() - stopping < 1s);
  CHECK(vault.open(stranger, kContext).error == OpenError::UnknownKey);  // no handler left
}
