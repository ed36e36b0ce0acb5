#include "core/flows/encoding.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <Poco/Base64Encoder.h>

#include <sstream>
#include <stdexcept>

namespace keyhop::flows {

namespace {

std::string encode(std::string_view bytes, int options) {
  std::ostringstream out;
  Poco::Base64Encoder encoder(out, options);
  encoder.rdbuf()->setLineLength(0);
  encoder.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  encoder.close();
  return out.str();
}

}  // namespace

std::string base64(std::string_view bytes) { return encode(bytes, 0); }

std::string base64Url(std::string_view bytes) {
  return encode(bytes, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
}

std::string sha256(std::string_view bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof(digest));
}

std::string hmac(HmacDigest digest, std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  const EVP_MD* md = digest == HmacDigest::Sha1 ? EVP_sha1() : EVP_sha256();
  if (HMAC(md, key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), out,
           &size) == nullptr) {
    throw std::runtime_error("HMAC failed");
  }
  return std::string(reinterpret_cast<const char*>(out), size);
}

std::string randomBytes(std::size_t size) {
  std::string bytes(size, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(size)) != 1) {
    throw std::runtime_error("the system's random number generator failed");
  }
  return bytes;
}

}  // namespace keyhop::flows
