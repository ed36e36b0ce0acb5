#include "tests/support/test_certificates.hpp"

#include <Poco/Net/IPAddress.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>

namespace keyhop::test {
namespace {

struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct CertificateFree {
  void operator()(X509* certificate) const { X509_free(certificate); }
};
struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Certificate = std::unique_ptr<X509, CertificateFree>;

[[noreturn]] void fail(const std::string& what) {
  const unsigned long code = ERR_get_error();
  std::string detail = "test certificates: " + what;
  if (code != 0) {
    char text[256];
    ERR_error_string_n(code, text, sizeof text);
    detail += ": " + std::string(text);
  }
  ERR_clear_error();
  throw std::runtime_error(detail);
}

void check(bool ok, const std::string& what) {
  if (!ok) fail(what);
}

// P-256: generated in a millisecond, where RSA takes a noticeable part of a test's time.
Key newKey() {
  Key key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  check(key != nullptr, "generating a key");
  return key;
}

// `issuer` null: self-signed (the CA). The extension values use openssl.cnf's syntax.
Certificate newCertificate(const std::string& common_name, EVP_PKEY* key, X509* issuer,
                           EVP_PKEY* issuer_key, const std::vector<std::string>& extensions) {
  Certificate certificate(X509_new());
  check(certificate != nullptr, "allocating a certificate");
  X509* cert = certificate.get();
  check(X509_set_version(cert, X509_VERSION_3) == 1, "setting the version");

  unsigned char serial[8];
  check(RAND_bytes(serial, sizeof serial) == 1, "drawing a serial number");
  serial[0] &= 0x7f;  // a serial number is positive
  BIGNUM* number = BN_bin2bn(serial, sizeof serial, nullptr);
  check(number != nullptr && BN_to_ASN1_INTEGER(number, X509_get_serialNumber(cert)) != nullptr,
        "setting the serial number");
  BN_free(number);

  // An hour back covers clock skew between the processes of a test; a day outlives any run.
  check(X509_gmtime_adj(X509_getm_notBefore(cert), -3600) != nullptr &&
            X509_gmtime_adj(X509_getm_notAfter(cert), 24 * 3600) != nullptr,
        "setting the validity");
  X509_NAME* name = X509_get_subject_name(cert);
  check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                                   -1, 0) == 1,
        "setting the subject");
  X509* signer = issuer != nullptr ? issuer : cert;
  check(X509_set_issuer_name(cert, X509_get_subject_name(signer)) == 1, "setting the issuer");
  check(X509_set_pubkey(cert, key) == 1, "setting the public key");

  X509V3_CTX context;
  X509V3_set_ctx(&context, signer, cert, nullptr, nullptr, 0);
  for (const auto& line : extensions) {
    const auto equals = line.find('=');
    X509_EXTENSION* extension = X509V3_EXT_nconf(nullptr, &context, line.substr(0, equals).c_str(),
                                                 line.substr(equals + 1).c_str());
    check(extension != nullptr, "building the extension " + line);
    const int added = X509_add_ext(cert, extension, -1);
    X509_EXTENSION_free(extension);
    check(added == 1, "adding the extension " + line);
  }
  check(X509_sign(cert, issuer_key != nullptr ? issuer_key : key, EVP_sha256()) > 0, "signing");
  return certificate;
}

std::unique_ptr<BIO, BioFree> openForWriting(const std::filesystem::path& path) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_file(path.c_str(), "w"));
  check(bio != nullptr, "opening " + path.string());
  return bio;
}

void writeCertificate(const std::filesystem::path& path, X509* certificate) {
  const auto bio = openForWriting(path);
  check(PEM_write_bio_X509(bio.get(), certificate) == 1, "writing " + path.string());
}

void writeKey(const std::filesystem::path& path, EVP_PKEY* key) {
  const auto bio = openForWriting(path);
  check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
        "writing " + path.string());
}

std::string subjectAltName(const std::vector<std::string>& names) {
  std::string value;
  for (const auto& name : names) {
    Poco::Net::IPAddress address;
    value += value.empty() ? "" : ",";
    value += (Poco::Net::IPAddress::tryParse(name, address) ? "IP:" : "DNS:") + name;
  }
  return value;
}

}  // namespace

TestCertificates::TestCertificates(const std::vector<std::string>& names)
    : ca_file_(dir_.path() / "ca.pem"),
      certificate_file_(dir_.path() / "server.pem"),
      key_file_(dir_.path() / "server.key") {
  if (names.empty()) throw std::invalid_argument("test certificates: no name for the server");
  const Key ca_key = newKey();
  const Certificate ca =
      newCertificate("keyhop test CA", ca_key.get(), nullptr, nullptr,
                     {"basicConstraints=critical,CA:TRUE", "keyUsage=critical,keyCertSign,cRLSign",
                      "subjectKeyIdentifier=hash"});
  const Key server_key = newKey();
  const Certificate server = newCertificate(
      names.front(), server_key.get(), ca.get(), ca_key.get(),
      {"basicConstraints=critical,CA:FALSE", "keyUsage=critical,digitalSignature",
       "extendedKeyUsage=serverAuth", "subjectKeyIdentifier=hash",
       "authorityKeyIdentifier=keyid:always", "subjectAltName=" + subjectAltName(names)});
  writeCertificate(ca_file_, ca.get());
  writeCertificate(certificate_file_, server.get());
  writeKey(key_file_, server_key.get());
}

}  // namespace keyhop::test
