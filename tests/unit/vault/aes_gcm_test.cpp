#include "core/vault/aes_gcm.hpp"

#include <catch2/catch.hpp>
#include <string>

using keyhop::vault::aesGcmOpen;
using keyhop::vault::aesGcmSeal;
using keyhop::vault::AesKey;
using keyhop::vault::GcmNonce;

namespace {

std::string fromHex(std::string_view hex) {
  std::string bytes;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    bytes += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  }
  return bytes;
}

template <typename Array>
Array arrayFromHex(std::string_view hex) {
  const auto bytes = fromHex(hex);
  REQUIRE(bytes.size() == Array().size());
  Array array;
  std::copy(bytes.begin(), bytes.end(), array.begin());
  return array;
}

}  // namespace

// McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)", appendix B, Test Case 16:
// 256-bit key, 96-bit IV, 60-byte plaintext, 20-byte associated data.
TEST_CASE("AES-256-GCM matches GCM spec Test Case 16 (with associated data)", "[vault]") {
  const auto key =
      arrayFromHex<AesKey>("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308");
  const auto nonce = arrayFromHex<GcmNonce>("cafebabefacedbaddecaf888");
  const auto plaintext = fromHex(
      "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
      "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39");
  const auto aad = fromHex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
  const auto expected = fromHex(
      "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
      "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
      "76fc6ece0f4e1768cddf8853bb2d551b");

  const auto sealed = aesGcmSeal(key, nonce, plaintext, aad);
  CHECK(sealed == expected);
  CHECK(aesGcmOpen(key, nonce, sealed, aad) == plaintext);

  auto bad_tag = sealed;
  bad_tag.back() = static_cast<char>(bad_tag.back() ^ 0x01);
  CHECK_FALSE(aesGcmOpen(key, nonce, bad_tag, aad));
  auto bad_aad = aad;
  bad_aad[0] = static_cast<char>(bad_aad[0] ^ 0x80);
  CHECK_FALSE(aesGcmOpen(key, nonce, sealed, bad_aad));
  CHECK_FALSE(aesGcmOpen(key, nonce, sealed, ""));
}

// Test Case 13: an all-zero 256-bit key and IV, empty plaintext: the tag alone.
TEST_CASE("AES-256-GCM matches GCM spec Test Case 13 (empty plaintext)", "[vault]") {
  const AesKey key{};
  const GcmNonce nonce{};
  const auto sealed = aesGcmSeal(key, nonce, "", "");
  CHECK(sealed == fromHex("530f8afbc74536b9a963b4f1c4cb738b"));
  CHECK(aesGcmOpen(key, nonce, sealed, "") == std::string());
}

TEST_CASE("AES-256-GCM refuses input shorter than a tag", "[vault]") {
  const AesKey key{};
  const GcmNonce nonce{};
  CHECK_FALSE(aesGcmOpen(key, nonce, "", ""));
  CHECK_FALSE(aesGcmOpen(key, nonce, std::string(15, '\0'), ""));
}
