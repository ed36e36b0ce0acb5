#pragma once

// Internal to the vault. Gathers the keys read from one source (a key file, the variable) and
// every problem with them, so the user learns of all problems at once, not one per attempt.

#include <string>
#include <string_view>
#include <vector>

#include "core/vault/key_ring.hpp"

namespace keyhop::vault {

class KeyRingBuilder final {
 public:
  // `source` names the file or variable when it holds no key at all.
  explicit KeyRingBuilder(std::string source);

  // Adds key `id` given as standard base64 of 32 bytes. `where` locates it ("file:3",
  // "KEYHOP_MASTER_KEYS entry 2") in the message of any problem found.
  void add(std::string_view id, std::string_view base64, const std::string& where);

  // Records a problem found by the reader itself (a line of the wrong shape).
  void problem(const std::string& where, const std::string& message);

  // The ring, keys in the order added. Throws KeyRingError listing every problem, one a line.
  KeyRing build();

 private:
  std::string source_;
  std::vector<MasterKey> keys_;
  std::vector<std::string> wheres_;  // wheres_[i] located keys_[i]
  std::vector<std::string> problems_;
};

}  // namespace keyhop::vault
