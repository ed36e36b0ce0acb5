#include "core/vault/key_ring.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <cctype>
#include <iterator>

#include "core/vault/key_ring_builder.hpp"
#include "core/vault/secure_random.hpp"

namespace keyhop::vault {
namespace {

std::string_view trim(std::string_view text) {
  const auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
}

// n for an id "k<n>" (at most 9 digits, so it fits), 0 for any other id.
unsigned long generatedNumber(const std::string& id) {
  if (id.size() < 2 || id.size() > 10 || id[0] != 'k') return 0;
  const bool digits = std::all_of(id.begin() + 1, id.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
  });
  return digits ? std::stoul(id.substr(1)) : 0;
}

}  // namespace

MasterKey::~MasterKey() { OPENSSL_cleanse(bytes.data(), bytes.size()); }

bool isValidKeyId(std::string_view id) {
  return !id.empty() && id.size() <= 32 && std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-';
  });
}

KeyRing::KeyRing(std::vector<MasterKey> keys) : keys_(std::move(keys)) {}

KeyRing KeyRing::parse(std::string_view text, const std::string& source) {
  KeyRingBuilder builder(source);
  std::size_t entry_number = 0;
  while (!trim(text).empty()) {
    const auto comma = text.find(',');
    const auto entry = trim(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    const std::string where = source + " entry " + std::to_string(++entry_number);
    const auto colon = entry.find(':');
    if (colon == std::string_view::npos) {
      builder.problem(where, "expected ID:BASE64");
      continue;
    }
    builder.add(trim(entry.substr(0, colon)), trim(entry.substr(colon + 1)), where);
  }
  return builder.build();
}

KeyRing KeyRing::withNewActiveKey() const {
  unsigned long highest = 0;
  for (const auto& key : keys_) highest = std::max(highest, generatedNumber(key.id));
  std::string id;
  for (auto n = highest + 1; id.empty() || find(id); ++n) id = "k" + std::to_string(n);
  std::vector<MasterKey> keys;
  keys.reserve(keys_.size() + 1);
  keys.push_back(MasterKey{id, {}});
  fillRandom(keys.front().bytes.data(), keys.front().bytes.size());
  keys.insert(keys.end(), keys_.begin(), keys_.end());
  return KeyRing(std::move(keys));
}

KeyRing KeyRing::without(const std::string& id) const {
  const std::string named = isValidKeyId(id) ? "key '" + id + "'" : "that key id";
  if (id == active().id) {
    throw KeyRingError(named +
                       " is the active key; make a new key active first "
                       "(keyhop keys rotate) and retire this one after");
  }
  if (!find(id)) throw KeyRingError("the key ring has no " + named);
  std::vector<MasterKey> keys;
  keys.reserve(keys_.size() - 1);
  std::copy_if(keys_.begin(), keys_.end(), std::back_inserter(keys),
               [&](const MasterKey& key) { return key.id != id; });
  return KeyRing(std::move(keys));
}

const MasterKey* KeyRing::find(std::string_view id) const {
  const auto it =
      std::find_if(keys_.begin(), keys_.end(), [&](const MasterKey& key) { return key.id == id; });
  return it == keys_.end() ? nullptr : &*it;
}

}  // namespace keyhop::vault
