#pragma once

// Seals secrets for storage and opens them again: AES-256-GCM under the key ring's active key,
// bound to where each value lives (docs/vault.md).

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/vault/key_ring.hpp"

namespace keyhop::vault {

enum class OpenError {
  Malformed,   // not a sealed value, or a format version this keyhop does not know
  Truncated,   // the right shape, but the payload is short or not base64url
  UnknownKey,  // sealed with a key id the ring does not have
  WrongKey,    // the ring has a key with that id, but not the key the value was sealed with
  Tampered,    // authentication failed: bytes changed, or the value moved to another row/column
};

// What Vault::open gives back. On failure, `message` names the problem and never holds any
// secret or ciphertext bytes; `plaintext` is then empty: no garbage ever comes out.
struct Opened {
  std::optional<std::string> plaintext;
  OpenError error{};
  std::string message;
  explicit operator bool() const { return plaintext.has_value(); }
};

// Every method is thread-safe. The ring can be replaced while other threads seal and open (a
// running server follows the key file through rotation): each call works on one ring
// throughout, the one current when it began.
class Vault final {
 public:
  explicit Vault(KeyRing keys);
  // The store and the key file watcher keep references to a vault: it stays where it is.
  Vault(const Vault&) = delete;
  Vault& operator=(const Vault&) = delete;

  // Encrypts with the active key and a fresh random 96-bit nonce. `context` is the associated
  // data: callers pass "table/column/row-id", so a value copied elsewhere does not open.
  std::string seal(std::string_view plaintext, std::string_view context) const;

  // Opens a value from seal() given the same `context`. On UnknownKey it calls the unknown-key
  // handler, if one is set, and tries once more if the handler replaced the ring.
  Opened open(std::string_view sealed, std::string_view context) const;

  // The key id a sealed value names, or nullopt if it is not a sealed value. For rotation:
  // it reads no key and checks nothing cryptographic.
  static std::optional<std::string> keyIdOf(std::string_view sealed);

  // The current ring. A snapshot: it stays valid, unchanged, if the ring is replaced meanwhile.
  std::shared_ptr<const KeyRing> keys() const;

  // Makes `keys` the ring for every later seal() and open(). The caller promises the new ring
  // still holds every key that sealed a value someone will open (a rotated ring keeps the old
  // keys; a key is dropped only once no value names it, as `keyhop keys retire` checks): the
  // vault cannot tell which keys stored values need.
  void replaceKeys(KeyRing keys);

  // `handler` runs, in the thread calling open(), when a value names a key the ring lacks: it
  // may bring the ring up to date (replaceKeys) before open() gives up. An empty function
  // removes it. A handler in progress when it is removed still runs to its end.
  void setUnknownKeyHandler(std::function<void()> handler);

 private:
  struct State;
  using Handler = std::function<void()>;

  // Read and swapped with std::atomic_load / std::atomic_store only.
  std::shared_ptr<const State> state_;
  std::shared_ptr<const Handler> unknown_key_handler_;
};

}  // namespace keyhop::vault
