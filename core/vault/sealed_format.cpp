#include "core/vault/sealed_format.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <memory>
#include <stdexcept>

#include "core/vault/base64.hpp"

namespace keyhop::vault {
namespace {

constexpr std::size_t kKeyCheckBytes = 4;
constexpr std::string_view kKeyCheckLabel = "keyhop-key-check";

bool isLowerHex(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

struct DigestContextDeleter {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};

}  // namespace

std::optional<SealedParts> splitSealed(std::string_view sealed) {
  if (sealed.substr(0, kSealedVersion.size() + 1) != std::string(kSealedVersion) + ".") {
    return std::nullopt;
  }
  sealed.remove_prefix(kSealedVersion.size() + 1);
  const auto id_end = sealed.find('.');
  if (id_end == std::string_view::npos) return std::nullopt;
  SealedParts parts;
  parts.key_id = sealed.substr(0, id_end);
  sealed.remove_prefix(id_end + 1);
  const auto check_end = sealed.find('.');
  if (check_end == std::string_view::npos) return std::nullopt;
  parts.key_check = sealed.substr(0, check_end);
  parts.payload = sealed.substr(check_end + 1);
  if (!isValidKeyId(parts.key_id) || parts.key_check.size() != 2 * kKeyCheckBytes ||
      !isLowerHex(parts.key_check)) {
    return std::nullopt;
  }
  return parts;
}

std::string joinSealed(std::string_view key_id, std::string_view key_check,
                       std::string_view payload) {
  std::string sealed(kSealedVersion);
  sealed += '.';
  sealed += key_id;
  sealed += '.';
  sealed += key_check;
  sealed += '.';
  sealed += encodeBase64Url(payload);
  return sealed;
}

std::string keyCheckOf(const MasterKey& key) {
  std::unique_ptr<EVP_MD_CTX, DigestContextDeleter> context(EVP_MD_CTX_new());
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (!context || EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(context.get(), kKeyCheckLabel.data(), kKeyCheckLabel.size()) != 1 ||
      EVP_DigestUpdate(context.get(), key.bytes.data(), key.bytes.size()) != 1 ||
      EVP_DigestFinal_ex(context.get(), digest, &size) != 1) {
    throw std::runtime_error("SHA-256: OpenSSL failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string check;
  for (std::size_t i = 0; i < kKeyCheckBytes; ++i) {
    check += kHex[digest[i] >> 4];
    check += kHex[digest[i] & 15];
  }
  return check;
}

}  // namespace keyhop::vault
