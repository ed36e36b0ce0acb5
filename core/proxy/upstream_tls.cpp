#include "core/proxy/upstream_tls.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdint>
#include <stdexcept>

namespace keyhop::proxy {
namespace {

// OpenSSL's own socket BIO writes with write(2): a provider that reset the connection would
// raise SIGPIPE and end the process. This one sends with MSG_NOSIGNAL.
int bioWrite(BIO* bio, const char* data, int size) {
  BIO_clear_retry_flags(bio);
  const int fd = static_cast<int>(reinterpret_cast<std::intptr_t>(BIO_get_data(bio)));
  const ssize_t n = ::send(fd, data, static_cast<std::size_t>(size), MSG_NOSIGNAL);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
    BIO_set_retry_write(bio);
  }
  return static_cast<int>(n);
}

int bioRead(BIO* bio, char* data, int size) {
  BIO_clear_retry_flags(bio);
  const int fd = static_cast<int>(reinterpret_cast<std::intptr_t>(BIO_get_data(bio)));
  const ssize_t n = ::recv(fd, data, static_cast<std::size_t>(size), 0);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
    BIO_set_retry_read(bio);
  }
  return static_cast<int>(n);
}

long bioControl(BIO*, int command, long, void*) { return command == BIO_CTRL_FLUSH ? 1 : 0; }

const BIO_METHOD* socketMethod() {
  static BIO_METHOD* const method = [] {
    BIO_METHOD* made = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "keyhop socket");
    if (made == nullptr) throw std::runtime_error("OpenSSL cannot create a BIO method");
    BIO_meth_set_write(made, bioWrite);
    BIO_meth_set_read(made, bioRead);
    BIO_meth_set_ctrl(made, bioControl);
    return made;
  }();
  return method;
}

bool isIpAddress(const std::string& host) {
  unsigned char address[sizeof(in6_addr)];
  return ::inet_pton(AF_INET, host.c_str(), address) == 1 ||
         ::inet_pton(AF_INET6, host.c_str(), address) == 1;
}

// SSL_get_error needs an empty error queue. Emptying it walks all its slots; looking at its
// top does not, and it is almost always empty already (this runs before every read and write).
void clearErrors() {
  if (ERR_peek_error() != 0) ERR_clear_error();
}

std::string lastOpenSslReason() {
  const unsigned long code = ERR_peek_last_error();
  const char* reason = code != 0 ? ERR_reason_error_string(code) : nullptr;
  return reason != nullptr ? reason : "the TLS handshake failed";
}

}  // namespace

TlsContext::TlsContext(const std::string& ca_file) {
  context_ = SSL_CTX_new(TLS_client_method());
  if (context_ == nullptr) throw std::runtime_error("OpenSSL cannot create a TLS context");
  SSL_CTX_set_min_proto_version(context_, TLS1_2_VERSION);
  SSL_CTX_set_verify(context_, SSL_VERIFY_PEER, nullptr);
  const bool trusted = ca_file.empty()
                           ? SSL_CTX_set_default_verify_paths(context_) == 1
                           : SSL_CTX_load_verify_locations(context_, ca_file.c_str(), nullptr) == 1;
  ERR_clear_error();
  if (!trusted) {
    SSL_CTX_free(context_);
    throw std::runtime_error("cannot load the CA certificates from " +
                             (ca_file.empty() ? std::string("the system store") : ca_file));
  }
  // A provider that closes without close_notify ends a close-delimited body like any other
  // close; framed bodies are checked by the HTTP parser.
  SSL_CTX_set_options(
      context_, SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
  // No SSL_MODE_RELEASE_BUFFERS: it frees a connection's record buffers (about 34 KiB) whenever
  // it is idle, so every exchange on a kept-alive connection allocated and freed them again
  // (a fifth of keyhop's user time on HTTPS). Kept, they cost that much per pooled connection.
  SSL_CTX_set_mode(context_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  // Whole records (and what follows them) in one recv: without it OpenSSL reads a record's
  // 5-byte header and then its body, two system calls per answer where one does. What it reads
  // ahead is buffered inside OpenSSL, where the socket no longer signals it: see pending().
  SSL_CTX_set_read_ahead(context_, 1);
  // Sessions are kept here, per origin, not in OpenSSL's cache (which is keyed for servers).
  SSL_CTX_set_session_cache_mode(context_,
                                 SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  SSL_CTX_sess_set_new_cb(context_, &TlsStream::onNewSession);
}

TlsContext::~TlsContext() {
  for (auto& entry : sessions_) SSL_SESSION_free(entry.second);
  SSL_CTX_free(context_);
}

SSL_SESSION* TlsContext::session(const std::string& origin) const {
  const auto it = sessions_.find(origin);
  return it == sessions_.end() ? nullptr : it->second;
}

void TlsContext::keepSession(const std::string& origin, SSL_SESSION* session) {
  SSL_SESSION*& kept = sessions_[origin];
  if (kept != nullptr) SSL_SESSION_free(kept);
  kept = session;
}

void TlsContext::forgetSession(const std::string& origin) {
  const auto it = sessions_.find(origin);
  if (it == sessions_.end()) return;
  SSL_SESSION_free(it->second);
  sessions_.erase(it);
}

TlsStream::TlsStream(TlsContext& context, int fd, const std::string& host, std::string origin)
    : context_(context), origin_(std::move(origin)) {
  ssl_ = SSL_new(context_.native());
  BIO* bio = ssl_ != nullptr ? BIO_new(socketMethod()) : nullptr;
  if (bio == nullptr) {
    SSL_free(ssl_);
    ERR_clear_error();
    throw std::runtime_error("OpenSSL cannot create a TLS connection");
  }
  BIO_set_data(bio, reinterpret_cast<void*>(static_cast<std::intptr_t>(fd)));
  BIO_set_init(bio, 1);
  SSL_set_bio(ssl_, bio, bio);
  SSL_set_app_data(ssl_, this);
  if (isIpAddress(host)) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), host.c_str());
  } else {
    SSL_set_tlsext_host_name(ssl_, host.c_str());  // SNI carries names only (RFC 6066 3)
    SSL_set_hostflags(ssl_, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    SSL_set1_host(ssl_, host.c_str());
  }
  if (SSL_SESSION* kept = context_.session(origin_)) SSL_set_session(ssl_, kept);
  SSL_set_connect_state(ssl_);
}

TlsStream::~TlsStream() {
  if (established_ && !broken_) {
    ERR_clear_error();
    SSL_shutdown(ssl_);  // one try at close_notify; the socket closes right after
    ERR_clear_error();
  }
  SSL_free(ssl_);
}

TlsStream::Io TlsStream::handshake() {
  ERR_clear_error();
  const int result = SSL_do_handshake(ssl_);
  if (result == 1) {
    established_ = true;
    return Io::Done;
  }
  std::size_t none = 0;
  const Io io = outcome(result, none);
  if (io == Io::Failed || io == Io::Closed) {
    const long verdict = SSL_get_verify_result(ssl_);
    failure_ =
        verdict != X509_V_OK
            ? std::string("certificate refused (") + X509_verify_cert_error_string(verdict) + ")"
            : std::string("TLS handshake failed (") + lastOpenSslReason() + ")";
    ERR_clear_error();
    context_.forgetSession(origin_);
    broken_ = true;
    return Io::Failed;
  }
  return io;
}

TlsStream::Io TlsStream::read(char* data, std::size_t size, std::size_t& received) {
  clearErrors();
  return outcome(SSL_read_ex(ssl_, data, size, &received), received);
}

TlsStream::Io TlsStream::write(const char* data, std::size_t size, std::size_t& sent) {
  clearErrors();
  return outcome(SSL_write_ex(ssl_, data, size, &sent), sent);
}

bool TlsStream::pending() const { return SSL_has_pending(ssl_) == 1; }

bool TlsStream::resumed() const { return SSL_session_reused(ssl_) == 1; }

TlsStream::Io TlsStream::outcome(int result, std::size_t& done) {
  if (result == 1) return Io::Done;
  done = 0;
  switch (SSL_get_error(ssl_, result)) {
    case SSL_ERROR_WANT_READ:
      return Io::WantRead;
    case SSL_ERROR_WANT_WRITE:
      return Io::WantWrite;
    case SSL_ERROR_ZERO_RETURN:
      broken_ = true;  // no close_notify back: the provider has gone
      return Io::Closed;
    default:
      broken_ = true;
      return Io::Failed;
  }
}

int TlsStream::onNewSession(SSL* ssl, SSL_SESSION* session) {
  auto* stream = static_cast<TlsStream*>(SSL_get_app_data(ssl));
  if (stream == nullptr) return 0;
  stream->context_.keepSession(stream->origin_, session);
  return 1;  // the reference is kept
}

}  // namespace keyhop::proxy
