#include "core/vault/key_ring_builder.hpp"

#include <openssl/crypto.h>

#include <algorithm>

#include "core/vault/base64.hpp"

namespace keyhop::vault {

KeyRingBuilder::KeyRingBuilder(std::string source) : source_(std::move(source)) {}

void KeyRingBuilder::add(std::string_view id, std::string_view base64, const std::string& where) {
  // An id that breaks the rules is not echoed: it may be a key pasted into the wrong field.
  if (!isValidKeyId(id)) {
    problem(where, "a key id must be 1 to 32 characters of A-Z a-z 0-9 _ -");
    return;
  }
  const std::string named = "key '" + std::string(id) + "'";
  const auto duplicate =
      std::find_if(keys_.begin(), keys_.end(), [&](const MasterKey& key) { return key.id == id; });
  if (duplicate != keys_.end()) {
    problem(where, named + " appears twice (first at " +
                       wheres_[static_cast<std::size_t>(duplicate - keys_.begin())] + ")");
    return;
  }
  auto bytes = decodeBase64(base64);
  if (!bytes) {
    problem(where, named + " is not standard base64 (A-Z a-z 0-9 + / with = padding)");
    return;
  }
  if (bytes->size() == kMasterKeySize) {
    MasterKey key{std::string(id), {}};
    std::copy(bytes->begin(), bytes->end(), key.bytes.begin());
    keys_.push_back(key);
    wheres_.push_back(where);
  } else {
    problem(where, named + " is " + std::to_string(bytes->size()) +
                       " bytes; a master key is 32 random bytes in base64 "
                       "(`keyhop keys init` makes one)");
  }
  OPENSSL_cleanse(bytes->data(), bytes->size());
}

void KeyRingBuilder::problem(const std::string& where, const std::string& message) {
  problems_.push_back(where + ": " + message);
}

KeyRing KeyRingBuilder::build() {
  if (problems_.empty() && keys_.empty()) problems_.push_back(source_ + ": no master keys");
  if (!problems_.empty()) {
    std::string message;
    for (const auto& problem : problems_) message += (message.empty() ? "" : "\n") + problem;
    throw KeyRingError(message);
  }
  return KeyRing(std::move(keys_));
}

}  // namespace keyhop::vault
