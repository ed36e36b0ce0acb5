#pragma once

// Keeps a running vault's ring in step with the master key file, so a server follows
// `keyhop keys rotate` and `keyhop keys retire` without a restart (docs/vault.md).

#include <chrono>
#include <filesystem>
#include <memory>
#include <thread>

#include "core/vault/vault.hpp"

namespace keyhop::vault {

struct KeyFileWatchTiming {
  // How often the background thread looks at the file.
  std::chrono::milliseconds period{1000};
  // The least time between two looks, when values naming an unknown key ask for one.
  std::chrono::milliseconds min_interval{200};
};

// Looks at the file's identity (device, inode, size, modification and change times) every
// period, and when the vault meets an unknown key; when it changed, loads it with KeyRing::load
// and replaces the vault's ring if the keys differ. A file that does not load is logged on
// "keyhop.vault" (the message names the problem, never key material) and the ring is kept.
//
// `vault` is owned by the caller and must outlive the watcher. While the watcher lives it is the
// vault's unknown-key handler: open() then waits for a look at the file that began after it
// asked (at most min_interval later than the last one), so a value sealed with a key written
// to the file a moment ago opens without waiting for the next period.
class KeyFileWatcher final {
 public:
  // Looks at the file once before returning (the ring may have changed since it was loaded).
  KeyFileWatcher(Vault& vault, std::filesystem::path file, KeyFileWatchTiming timing = {});
  // Stops the thread promptly and removes the unknown-key handler.
  ~KeyFileWatcher();
  KeyFileWatcher(const KeyFileWatcher&) = delete;
  KeyFileWatcher& operator=(const KeyFileWatcher&) = delete;

 private:
  class Watch;

  Vault& vault_;
  std::shared_ptr<Watch> watch_;  // shared with the handler, which may outrun the destructor
  std::thread thread_;
};

}  // namespace keyhop::vault
