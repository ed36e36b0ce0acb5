#include "core/vault/key_file_watcher.hpp"

#include <Poco/Logger.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>

namespace keyhop::vault {
namespace {

using Clock = std::chrono::steady_clock;

// What tells a rewritten file from the one looked at last: KeyRing::save renames a new file
// into place (another inode), an edit in place changes the size or the times.
struct FileIdentity {
  int error = 0;  // errno of stat(); the other fields are 0 when it is not
  dev_t device = 0;
  ino_t inode = 0;
  off_t size = 0;
  timespec modified{};
  timespec changed{};
};

bool operator==(const timespec& a, const timespec& b) {
  return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

bool operator==(const FileIdentity& a, const FileIdentity& b) {
  return a.error == b.error && a.device == b.device && a.inode == b.inode && a.size == b.size &&
         a.modified == b.modified && a.changed == b.changed;
}

FileIdentity identityOf(const std::filesystem::path& file) {
  FileIdentity identity;
  struct stat info {};
  if (::stat(file.c_str(), &info) != 0) {
    identity.error = errno;
    return identity;
  }
  identity.device = info.st_dev;
  identity.inode = info.st_ino;
  identity.size = info.st_size;
  identity.modified = info.st_mtim;
  identity.changed = info.st_ctim;
  return identity;
}

bool sameKeys(const KeyRing& a, const KeyRing& b) {
  return std::equal(
      a.keys().begin(), a.keys().end(), b.keys().begin(), b.keys().end(),
      [](const MasterKey& x, const MasterKey& y) { return x.id == y.id && x.bytes == y.bytes; });
}

}  // namespace

// The state the thread and the unknown-key handler share. Every look at the file runs under
// mutex_, so two loads never race to replace the ring with an older one.
class KeyFileWatcher::Watch {
 public:
  Watch(Vault& vault, std::filesystem::path file, KeyFileWatchTiming timing)
      : vault_(vault),
        file_(std::move(file)),
        timing_(timing),
        log_(Poco::Logger::get("keyhop.vault")) {}

  void lookNow() {
    std::lock_guard<std::mutex> lock(mutex_);
    look();
  }

  // Returns once a look that began after the call has ended, or when stopping.
  void lookOnDemand() {
    const auto asked = Clock::now();
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stopping_) {
      if (last_look_ && *last_look_ >= asked) return;
      const auto allowed =
          last_look_ ? *last_look_ + timing_.min_interval : Clock::time_point::min();
      if (Clock::now() >= allowed) {
        look();
        return;
      }
      wake_.wait_until(lock, allowed);
    }
  }

  void run() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!wake_.wait_for(lock, timing_.period, [this] { return stopping_; })) look();
  }

  void stop() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
  }

 private:
  // The caller holds mutex_.
  void look() {
    last_look_ = Clock::now();
    const auto identity = identityOf(file_);
    if (seen_ && *seen_ == identity) return;
    seen_ = identity;  // a file that fails to load is not tried again until it changes
    if (identity.error != 0) {
      log_.error(file_.string() + ": cannot read the master key file (" +
                 std::error_code(identity.error, std::generic_category()).message() +
                 "); keeping the current master keys");
      return;
    }
    try {
      auto ring = KeyRing::load(file_);
      if (sameKeys(ring, *vault_.keys())) return;
      const std::string summary = "master keys reloaded: active key " + ring.active().id + ", " +
                                  std::to_string(ring.keys().size()) + " key(s)";
      vault_.replaceKeys(std::move(ring));
      log_.information(summary);
    } catch (const std::exception& e) {
      // KeyRing::load's messages name the file, the line and the problem, never a key.
      log_.error(std::string("cannot reload the master keys; keeping the current ones: ") +
                 e.what());
    }
  }

  Vault& vault_;
  const std::filesystem::path file_;
  const KeyFileWatchTiming timing_;
  Poco::Logger& log_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::optional<FileIdentity> seen_;
  std::optional<Clock::time_point> last_look_;  // when the latest look began
};

KeyFileWatcher::KeyFileWatcher(Vault& vault, std::filesystem::path file, KeyFileWatchTiming timing)
    : vault_(vault), watch_(std::make_shared<Watch>(vault, std::move(file), timing)) {
  watch_->lookNow();
  vault_.setUnknownKeyHandler([watch = watch_] { watch->lookOnDemand(); });
  thread_ = std::thread([watch = watch_] { watch->run(); });
}

KeyFileWatcher::~KeyFileWatcher() {
  vault_.setUnknownKeyHandler({});
  watch_->stop();
  thread_.join();
}

}  // namespace keyhop::vault
