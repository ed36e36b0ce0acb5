#include "core/vault/aes_gcm.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <climits>
#include <memory>
#include <stdexcept>

namespace keyhop::vault {
namespace {

struct CipherContextDeleter {
  void operator()(EVP_CIPHER_CTX* context) const { EVP_CIPHER_CTX_free(context); }
};
using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, CipherContextDeleter>;

void check(int ok, const char* what) {
  if (ok != 1) throw std::runtime_error(std::string("AES-256-GCM: OpenSSL failed in ") + what);
}

const unsigned char* bytesOf(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

// A context set up for AES-256-GCM with `key` and a 96-bit `nonce` (GCM's default IV length,
// set anyway so the intent does not rest on a default).
CipherContext startCipher(const AesKey& key, const GcmNonce& nonce, bool encrypt) {
  CipherContext context(EVP_CIPHER_CTX_new());
  if (!context) throw std::runtime_error("AES-256-GCM: out of memory");
  check(EVP_CipherInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr, encrypt),
        "EVP_CipherInit_ex");
  check(EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_IVLEN, kGcmNonceSize, nullptr),
        "EVP_CTRL_GCM_SET_IVLEN");
  check(EVP_CipherInit_ex(context.get(), nullptr, nullptr, key.data(), nonce.data(), encrypt),
        "EVP_CipherInit_ex");
  return context;
}

// EVP lengths are int: feed larger inputs in pieces. With `out` null the input is associated
// data. GCM is a stream mode, so each piece writes exactly as many bytes as it reads.
void update(EVP_CIPHER_CTX* context, unsigned char* out, std::string_view in) {
  while (!in.empty()) {
    const int piece = static_cast<int>(std::min<std::size_t>(in.size(), INT_MAX / 2));
    int written = 0;
    check(EVP_CipherUpdate(context, out, &written, bytesOf(in), piece), "EVP_CipherUpdate");
    if (out) out += written;
    in.remove_prefix(static_cast<std::size_t>(piece));
  }
}

}  // namespace

std::string aesGcmSeal(const AesKey& key, const GcmNonce& nonce, std::string_view plaintext,
                       std::string_view associated_data) {
  const auto context = startCipher(key, nonce, true);
  update(context.get(), nullptr, associated_data);
  std::string sealed(plaintext.size() + kGcmTagSize, '\0');
  auto* out = reinterpret_cast<unsigned char*>(sealed.data());
  update(context.get(), out, plaintext);
  int written = 0;
  check(EVP_EncryptFinal_ex(context.get(), out + plaintext.size(), &written),
        "EVP_EncryptFinal_ex");
  check(
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_GET_TAG, kGcmTagSize, out + plaintext.size()),
      "EVP_CTRL_GCM_GET_TAG");
  return sealed;
}

std::optional<std::string> aesGcmOpen(const AesKey& key, const GcmNonce& nonce,
                                      std::string_view sealed, std::string_view associated_data) {
  if (sealed.size() < kGcmTagSize) return std::nullopt;
  const auto ciphertext = sealed.substr(0, sealed.size() - kGcmTagSize);
  std::string tag(sealed.substr(ciphertext.size()));  // SET_TAG takes a non-const pointer
  const auto context = startCipher(key, nonce, false);
  update(context.get(), nullptr, associated_data);
  // Decrypted bytes exist before the tag is checked: keep them here, and wipe them if the
  // check fails.
  std::string plaintext(ciphertext.size(), '\0');
  auto* out = reinterpret_cast<unsigned char*>(plaintext.data());
  bool authentic = false;
  try {
    update(context.get(), out, ciphertext);
    check(EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_TAG, kGcmTagSize, tag.data()),
          "EVP_CTRL_GCM_SET_TAG");
    int written = 0;
    authentic = EVP_DecryptFinal_ex(context.get(), out + ciphertext.size(), &written) == 1;
  } catch (...) {
    OPENSSL_cleanse(plaintext.data(), plaintext.size());
    throw;
  }
  if (!authentic) {
    OPENSSL_cleanse(plaintext.data(), plaintext.size());
    return std::nullopt;
  }
  return plaintext;
}

}  // namespace keyhop::vault
