#include "core/vault/secure_random.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <climits>
#include <stdexcept>

namespace keyhop::vault {

void fillRandom(unsigned char* out, std::size_t size) {
  while (size > 0) {
    const int chunk = static_cast<int>(std::min<std::size_t>(size, INT_MAX));
    if (RAND_bytes(out, chunk) != 1) {
      throw std::runtime_error("the system random number generator failed (OpenSSL RAND_bytes)");
    }
    out += chunk;
    size -= static_cast<std::size_t>(chunk);
  }
}

}  // namespace keyhop::vault
