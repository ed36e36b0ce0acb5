#pragma once

// TLS material for tests, generated when a test runs and removed with it: a throwaway CA and a
// server certificate it signed. Tests never commit a key, not even a test one.

#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/temp_dir.hpp"

namespace keyhop::test {

class TestCertificates final {
 public:
  // `names` go into the server certificate's subjectAltName: an IPv4 or IPv6 address becomes an
  // IP entry, anything else a DNS entry; the first is also the common name. Throws when OpenSSL
  // fails.
  explicit TestCertificates(const std::vector<std::string>& names = {"localhost", "127.0.0.1"});

  // PEM files: the CA certificate a client trusts, the server certificate, its unencrypted key.
  const std::filesystem::path& caFile() const { return ca_file_; }
  const std::filesystem::path& certificateFile() const { return certificate_file_; }
  const std::filesystem::path& keyFile() const { return key_file_; }

 private:
  TempDir dir_;
  std::filesystem::path ca_file_;
  std::filesystem::path certificate_file_;
  std::filesystem::path key_file_;
};

}  // namespace keyhop::test
