#include "tests/support/master_keys.hpp"

#include <Poco/Base64Encoder.h>
#include <openssl/rand.h>

#include <array>
#include <sstream>
#include <stdexcept>

namespace keyhop::test {

std::string generatedMasterKeys() {
  std::array<unsigned char, 32> key{};
  if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  std::ostringstream text;
  Poco::Base64Encoder encoder(text);
  encoder.write(reinterpret_cast<const char*>(key.data()), key.size());
  encoder.close();
  return "test1:" + text.str();
}

}  // namespace keyhop::test
