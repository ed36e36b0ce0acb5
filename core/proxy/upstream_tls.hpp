#pragma once

// Internal to the proxy. TLS to providers with OpenSSL straight on the pool's non-blocking
// sockets: a handshake, read or write that cannot go on says which readiness it waits for, and
// the connection asks its reactor for exactly that. Peers are verified against the system's CA
// store or a CA file, with the host name (or IP address) checked and SNI sent. The last session
// a provider gave is kept per origin, so a new connection resumes it (an abbreviated handshake).

#include <openssl/ssl.h>

#include <cstddef>
#include <string>
#include <unordered_map>

namespace keyhop::proxy {

class TlsContext final {
 public:
  // Trusts `ca_file` (PEM), or the system's store when it is empty. Throws std::runtime_error
  // when the file cannot be used or OpenSSL fails (start-up).
  explicit TlsContext(const std::string& ca_file);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  SSL_CTX* native() const { return context_; }
  // The session to resume for `origin`, or null. Owned by this context.
  SSL_SESSION* session(const std::string& origin) const;
  // Takes over the caller's reference to `session`, replacing the origin's previous one.
  void keepSession(const std::string& origin, SSL_SESSION* session);
  void forgetSession(const std::string& origin);

 private:
  SSL_CTX* context_ = nullptr;
  std::unordered_map<std::string, SSL_SESSION*> sessions_;
};

class TlsStream final {
 public:
  enum class Io {
    Done,       // the call did (some of) its work
    WantRead,   // call again once the socket is readable
    WantWrite,  // call again once the socket is writable
    Closed,     // the provider closed the connection
    Failed,     // a TLS or socket error; the stream is unusable
  };

  // A client for `host` on the connected socket `fd`, which stays owned by the caller.
  // `context` outlives the stream. Throws std::runtime_error when OpenSSL cannot allocate.
  TlsStream(TlsContext& context, int fd, const std::string& host, std::string origin);
  ~TlsStream();  // sends close_notify when the connection is healthy; never blocks
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  Io handshake();
  Io read(char* data, std::size_t size, std::size_t& received);
  Io write(const char* data, std::size_t size, std::size_t& sent);

  // Bytes wait inside OpenSSL (decrypted, or read ahead and not yet), whatever the socket says.
  bool pending() const;
  bool resumed() const;  // the handshake resumed a kept session
  // Why the handshake failed, fit for a message: the certificate check's verdict or OpenSSL's
  // reason. Never a byte of the conversation.
  const std::string& failure() const { return failure_; }

 private:
  friend class TlsContext;  // registers onNewSession with OpenSSL
  // OpenSSL has a session to keep (after a TLS 1.2 handshake, or a TLS 1.3 ticket).
  static int onNewSession(SSL* ssl, SSL_SESSION* session);
  Io outcome(int result, std::size_t& done);

  TlsContext& context_;
  std::string origin_;
  SSL* ssl_ = nullptr;
  bool established_ = false;
  bool broken_ = false;
  std::string failure_;
};

}  // namespace keyhop::proxy
