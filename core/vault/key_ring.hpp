#pragma once

// The vault's master keys. A ring is ordered: the first key is active (it seals new values),
// every key opens values sealed with it. Keys come from a key file or KEYHOP_MASTER_KEYS
// (docs/vault.md).

#include <array>
#include <cstddef>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace keyhop::vault {

inline constexpr std::size_t kMasterKeySize = 32;

// One 256-bit master key. `id` is [A-Za-z0-9_-]{1,32}; it is written into every value the key
// seals. The bytes are wiped when a MasterKey is destroyed, so no copy outlives its use.
struct MasterKey {
  std::string id;
  std::array<unsigned char, kMasterKeySize> bytes;
  ~MasterKey();
};

// A key ring that cannot be used. The message names the source (file:line, the variable) and
// every problem found, never any key material.
class KeyRingError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Whether `id` may name a master key: [A-Za-z0-9_-]{1,32}.
bool isValidKeyId(std::string_view id);

class KeyRing final {
 public:
  // The KEYHOP_MASTER_KEYS form, "ID:BASE64,ID:BASE64" (first active). `source` names where the
  // text came from, for messages.
  static KeyRing parse(std::string_view text, const std::string& source);

  // A key file: lines "ID BASE64" (32 bytes, standard base64), '#' comments and blank lines,
  // the first key active. Refuses a file group or others may read (mode must be 0600 or
  // stricter), malformed lines (file:line), duplicate ids, a file without keys.
  static KeyRing load(const std::filesystem::path& file);

  // Creates `file` (mode 0600, never overwriting: it must not exist) holding one fresh random
  // key "k1", and returns its ring. The parent directory must exist.
  static KeyRing createFile(const std::filesystem::path& file);

  // Writes the ring to `file` atomically: a 0600 temp file beside it, fsync, rename.
  void save(const std::filesystem::path& file) const;

  // This ring with a fresh random key in front (active). Its id is "k<n>", n above every
  // "k<number>" id in the ring, so a retired id is not handed out again.
  KeyRing withNewActiveKey() const;

  // This ring without key `id`. Throws KeyRingError if `id` is the active key or absent.
  KeyRing without(const std::string& id) const;

  const MasterKey& active() const { return keys_.front(); }
  const MasterKey* find(std::string_view id) const;
  const std::vector<MasterKey>& keys() const { return keys_; }

 private:
  friend class KeyRingBuilder;  // the one way in: it checks ids and keys
  explicit KeyRing(std::vector<MasterKey> keys);

  std::vector<MasterKey> keys_;  // never empty, ids unique
};

}  // namespace keyhop::vault
