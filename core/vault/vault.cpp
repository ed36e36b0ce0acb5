#include "core/vault/vault.hpp"

#include <algorithm>
#include <cctype>

#include "core/vault/aes_gcm.hpp"
#include "core/vault/base64.hpp"
#include "core/vault/sealed_format.hpp"
#include "core/vault/secure_random.hpp"

namespace keyhop::vault {
namespace {

Opened failure(OpenError error, std::string message) {
  return Opened{std::nullopt, error, std::move(message)};
}

// The message for a value that is not kh1: names a later version (digits only, so safe to
// echo) because that means a newer keyhop wrote it, which calls for a different fix.
std::string malformedMessage(std::string_view sealed) {
  const auto dot = sealed.find('.');
  const auto version = sealed.substr(0, dot);
  const bool other_version =
      dot != std::string_view::npos && version.size() > 2 && version.size() <= 12 &&
      version.substr(0, 2) == "kh" && version != kSealedVersion &&
      std::all_of(version.begin() + 2, version.end(),
                  [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
  if (other_version) {
    return "the value is sealed in format " + std::string(version) + ", which this keyhop " +
           "cannot read (it reads " + std::string(kSealedVersion) + ")";
  }
  return "the value is not a sealed value (expected " + std::string(kSealedVersion) +
         ".<key id>.<key check>.<payload>)";
}

// Opens with one ring: the checks in docs/vault.md's order (shape, payload, key id, key check,
// tag).
Opened openWith(const KeyRing& keys, const std::vector<std::string>& checks,
                std::string_view sealed, std::string_view context) {
  const auto parts = splitSealed(sealed);
  if (!parts) return failure(OpenError::Malformed, malformedMessage(sealed));
  const auto payload = decodeBase64Url(parts->payload);
  if (!payload) {
    return failure(OpenError::Truncated,
                   "the sealed value is cut short or corrupted: its payload is not base64url");
  }
  if (payload->size() < kGcmNonceSize + kGcmTagSize) {
    return failure(OpenError::Truncated, "the sealed value is cut short: its payload is " +
                                             std::to_string(payload->size()) +
                                             " bytes, less than a nonce and a tag (" +
                                             std::to_string(kGcmNonceSize + kGcmTagSize) + ")");
  }
  const std::string id(parts->key_id);
  const auto* key = keys.find(id);
  if (!key) {
    return failure(OpenError::UnknownKey,
                   "the value is sealed with master key '" + id +
                       "', which is not in the key ring: add that key to the key ring (the "
                       "master key file or KEYHOP_MASTER_KEYS)");
  }
  const auto index = static_cast<std::size_t>(key - keys.keys().data());
  if (parts->key_check != checks[index]) {
    return failure(OpenError::WrongKey,
                   "the key ring's master key '" + id +
                       "' is not the key this value was sealed with (the key check differs): "
                       "was the key file replaced or the key edited?");
  }
  GcmNonce nonce;
  std::copy_n(payload->begin(), nonce.size(), nonce.begin());
  auto plaintext =
      aesGcmOpen(key->bytes, nonce, std::string_view(*payload).substr(nonce.size()), context);
  if (!plaintext) {
    return failure(OpenError::Tampered,
                   "the sealed value failed authentication: it was modified, or copied from "
                   "another row or column");
  }
  return Opened{std::move(plaintext), {}, {}};
}

}  // namespace

// A ring and its key checks, replaced together so no reader sees one without the other.
struct Vault::State {
  explicit State(KeyRing ring) : keys(std::move(ring)) {
    for (const auto& key : keys.keys()) checks.push_back(keyCheckOf(key));
  }
  KeyRing keys;
  std::vector<std::string> checks;  // checks[i] is the key check of keys.keys()[i]
};

Vault::Vault(KeyRing keys) : state_(std::make_shared<const State>(std::move(keys))) {}

std::string Vault::seal(std::string_view plaintext, std::string_view context) const {
  const auto state = std::atomic_load(&state_);
  const auto& key = state->keys.active();
  GcmNonce nonce;
  fillRandom(nonce.data(), nonce.size());
  std::string payload(reinterpret_cast<const char*>(nonce.data()), nonce.size());
  payload += aesGcmSeal(key.bytes, nonce, plaintext, context);
  return joinSealed(key.id, state->checks.front(), payload);
}

Opened Vault::open(std::string_view sealed, std::string_view context) const {
  const auto state = std::atomic_load(&state_);
  auto opened = openWith(state->keys, state->checks, sealed, context);
  if (opened || opened.error != OpenError::UnknownKey) return opened;
  const auto handler = std::atomic_load(&unknown_key_handler_);
  if (!handler) return opened;
  (*handler)();
  const auto fresh = std::atomic_load(&state_);
  if (fresh == state) return opened;
  return openWith(fresh->keys, fresh->checks, sealed, context);
}

std::shared_ptr<const KeyRing> Vault::keys() const {
  auto state = std::atomic_load(&state_);
  const KeyRing* ring = &state->keys;
  return std::shared_ptr<const KeyRing>(std::move(state), ring);
}

void Vault::replaceKeys(KeyRing keys) {
  std::atomic_store(&state_, std::make_shared<const State>(std::move(keys)));
}

void Vault::setUnknownKeyHandler(std::function<void()> handler) {
  std::shared_ptr<const Handler> stored;
  if (handler) stored = std::make_shared<const Handler>(std::move(handler));
  std::atomic_store(&unknown_key_handler_, std::move(stored));
}

std::optional<std::string> Vault::keyIdOf(std::string_view sealed) {
  const auto parts = splitSealed(sealed);
  if (!parts) return std::nullopt;
  return std::string(parts->key_id);
}

}  // namespace keyhop::vault
