#pragma once

// The proxy's way to providers: HTTP/1.1 exchanges on non-blocking sockets driven by one
// event loop (the reactor thread that owns the client's connection), so no thread
// waits on a provider. Connections are kept alive and pooled per origin; https is verified
// against the system CA store (or a CA file), with TLS sessions reused. The answer streams to
// an observer as it arrives, with back-pressure, so a large body never sits in memory whole.
//
// Everything here runs on the reactor's thread, except the constructor (and the destructor
// once the reactor has stopped). Observers are never called back from inside send() or
// resume(): a failure found there arrives at the reactor's next turn.
//
// Host names are resolved with a blocking lookup on the reactor's thread, so only for an
// origin's first connection; the address is then kept for five minutes (a name that did not
// resolve is not looked up again for ten seconds). Plain http goes to loopback hosts only.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/flows/http_text.hpp"
#include "core/net/event_loop.hpp"
#include "core/proxy/upstream_target.hpp"
#include "keyhop/provider.hpp"

namespace keyhop::proxy {

struct UpstreamOptions {
  std::chrono::milliseconds connect_timeout{5000};  // TCP connect and TLS handshake
  std::chrono::milliseconds read_timeout{60000};    // longest wait for the next byte of an answer
  // A kept-alive connection idle this long is closed. Below providers' own idle timeouts, so
  // keyhop rarely sends on a connection the provider is closing.
  std::chrono::milliseconds idle_timeout{20000};
  std::size_t max_idle_per_origin = 64;
  // Beyond: exchanges wait for a free connection, up to connect_timeout.
  std::size_t max_connections_per_origin = 512;
  std::string ca_file;  // empty: the system's CA store
};

// What to send, viewed: UpstreamPool::send turns it into the bytes it keeps, so what it views
// need only outlive that call.
struct UpstreamRequest {
  std::string_view method;
  std::string_view target;  // origin-form, sent as given: path and query
  std::string_view host_header;
  const HeaderList* headers = nullptr;  // sent as given, after Host; never hop-by-hop ones
  // keyhop's own (the credential's stamp): sent after `headers`, each replacing any there of
  // the same name.
  const HeaderList* stamped = nullptr;
  std::string_view body;  // sent with Content-Length (also 0 for POST/PUT/PATCH), none otherwise
  // Instead of `body`: a body too large to hold, written as it comes (UpstreamExchange::write),
  // sent with Content-Length when `body_length` is known, else chunked. An exchange with such a
  // body is not sent again on a fresh connection once any of it has left.
  bool body_follows = false;
  std::optional<std::uint64_t> body_length;
};

struct UpstreamHead {
  int status = 0;
  std::string reason;  // as the provider sent it
  HeaderList headers;  // as the provider sent them, in order, repeats kept (framing included)
  // The body's length when the provider framed it with Content-Length (for HEAD, the length it
  // declared); empty for chunked or close-delimited bodies. `has_body` is false for HEAD
  // requests, 1xx, 204 and 304.
  std::optional<std::uint64_t> content_length;
  bool has_body = true;
};

// The head as it was parsed: views into the connection's buffer, valid during onHead only.
struct UpstreamHeadView {
  int status = 0;
  std::string_view reason;
  flows::HeaderViews headers;                   // in order, repeats kept (framing included)
  std::optional<std::uint64_t> content_length;  // as UpstreamHead's
  bool has_body = true;

  UpstreamHead owned() const;  // a copy to keep past onHead
};

enum class UpstreamFailureKind {
  Unreachable,  // no connection: refused, no such host, TLS handshake or certificate refused
  Timeout,      // connecting, or waiting for the answer's next byte, took too long
  Protocol,     // a connection, but no usable HTTP answer (or it broke off mid-body)
};

struct UpstreamFailure {
  UpstreamFailureKind kind = UpstreamFailureKind::Protocol;
  std::string message;         // names the origin; never a header, a query or a body byte
  bool head_received = false;  // true when onHead was called before the failure
};

// One exchange's events, on the reactor's thread. After onEnd or onFailure nothing follows.
class UpstreamObserver {
 public:
  virtual ~UpstreamObserver() = default;
  // Viewed in place, not copied: most heads are passed on at once. head.owned() keeps one.
  virtual void onHead(const UpstreamHeadView& head) = 0;
  // The next piece of the body, de-chunked, valid during the call. Return false to stop reading
  // from the provider until UpstreamExchange::resume() (the client is slower than the provider).
  virtual bool onBody(std::string_view bytes) = 0;
  virtual void onEnd() = 0;
  virtual void onFailure(const UpstreamFailure& failure) = 0;
  // A body that follows (UpstreamRequest::body_follows) may be written again after write()
  // returned false.
  virtual void onBodyWanted() {}
};

class UpstreamExchange {
 public:
  virtual ~UpstreamExchange() = default;
  // Reading goes on after onBody returned false.
  virtual void resume() = 0;
  // The client is gone: no more events; the connection is closed, not pooled.
  virtual void cancel() = 0;
  // The next piece of a body that follows. false: enough waits to be sent; write more after
  // UpstreamObserver::onBodyWanted (the piece is taken either way).
  virtual bool write(std::string_view bytes) = 0;
  // The body that follows is complete.
  virtual void finish() = 0;
};

class UpstreamPool final {
 public:
  // Throws at start-up when the TLS context cannot be made (an unreadable CA file).
  UpstreamPool(net::EventLoop& loop, UpstreamOptions options);
  ~UpstreamPool();  // closes every connection; exchanges in flight get no more events
  UpstreamPool(const UpstreamPool&) = delete;
  UpstreamPool& operator=(const UpstreamPool&) = delete;

  // Starts sending `request` to `origin` on a pooled connection (or a new one). `observer`
  // must stay valid until onEnd/onFailure, or until the returned exchange is cancelled; it may
  // call send(), resume() and cancel() from its callbacks, but not destroy the pool. An
  // idle pooled connection the provider had closed is detected and the request sent again
  // on a fresh one, once, before any byte of an answer.
  std::shared_ptr<UpstreamExchange> send(std::shared_ptr<const UpstreamOrigin> origin,
                                         const UpstreamRequest& request,
                                         UpstreamObserver& observer);

  // Called by the reactor's owner now and then (about every 100 ms): times out exchanges and
  // closes idle connections past idle_timeout.
  void checkTimeouts(std::chrono::steady_clock::time_point now);

  std::size_t openConnections() const;  // for tests and metrics
  std::size_t idleConnections() const;
  std::size_t resumedTlsSessions() const;  // TLS handshakes that resumed a kept session

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace keyhop::proxy
