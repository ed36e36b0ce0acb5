#pragma once

// Internal to the proxy. One connection to a provider on the pool's reactor: a non-blocking
// connect, the TLS handshake for https, then exchanges one at a time (send the request, stream
// the answer to the exchange's observer), idle and watched in between. It reports to its owner
// (the pool) when it becomes idle or closes; every call runs on the reactor's thread.

#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "core/net/event_loop.hpp"
#include "core/proxy/reactor_tasks.hpp"
#include "core/proxy/response_reader.hpp"
#include "core/proxy/upstream_exchange.hpp"
#include "core/proxy/upstream_pool.hpp"
#include "core/proxy/upstream_tls.hpp"

namespace keyhop::proxy {

class UpstreamConnection;

class ConnectionOwner {
 public:
  virtual ~ConnectionOwner() = default;
  // The answer is complete and the connection may carry another exchange (the owner may start
  // one at once). false: the owner does not keep it, and the connection closes.
  virtual bool connectionIdle(UpstreamConnection& connection) = 0;
  // The connection has closed. `lost` is its exchange when the request may go again on a fresh
  // connection: a kept-alive connection the provider had closed, before any byte of an answer.
  virtual void connectionClosed(UpstreamConnection& connection, std::shared_ptr<Exchange> lost) = 0;
};

// What every connection of a pool shares; owned by the pool, which outlives its connections.
struct ConnectionContext {
  net::EventLoop& loop;
  ConnectionOwner& owner;
  ReactorTasks& tasks;
  TlsContext& tls;
  const UpstreamOptions& options;
  std::size_t resumed_tls_sessions = 0;
};

class UpstreamConnection final : public std::enable_shared_from_this<UpstreamConnection>,
                                 private net::EventHandler {
 public:
  using Clock = std::chrono::steady_clock;

  UpstreamConnection(ConnectionContext& context, std::shared_ptr<const UpstreamOrigin> origin);
  ~UpstreamConnection();
  UpstreamConnection(const UpstreamConnection&) = delete;
  UpstreamConnection& operator=(const UpstreamConnection&) = delete;

  // Starts connecting to `address` to carry `exchange`. false, with `error` saying why, when it
  // failed at once; nothing is reported to the owner then.
  bool connect(const Poco::Net::SocketAddress& address, std::shared_ptr<Exchange> exchange,
               std::string& error);
  // An idle connection carries `exchange`; its request goes out at once when the socket takes
  // it. Never calls an observer back.
  void begin(std::shared_ptr<Exchange> exchange);
  // The observer of `exchange` wants the rest of the body (at the reactor's next turn).
  void resume(const Exchange& exchange);
  // More of `exchange`'s body that follows is queued.
  void sendQueued(const Exchange& exchange);
  // `exchange` was cancelled: close without another event.
  void abort(const Exchange& exchange);
  // Closes an idle connection past its idle timeout, times out connecting and stalled answers.
  void checkTimeouts(Clock::time_point now);
  // The pool is going: close without reporting; the exchange gets no more events.
  void shutdown();

  const std::string& origin() const { return origin_->url; }

 private:
  enum class Phase { Connecting, Handshaking, Busy, Idle, Closed };
  enum class ReadEnd { Again, Full, Closed, Failed };
  class Sink;

  void onReady(unsigned ready) override;
  template <typename Step>
  void guarded(Step step);

  void readable();
  void writable();
  void errorRaised();
  void connected();
  void handshake();
  void ready();
  void flush();
  // false while the head and buffered body have not all left.
  bool sendRequestBytes();
  void sendQueuedBody();
  // Writes what the socket takes now; false when it took nothing (full, or broken).
  bool writeSome(const char* data, std::size_t size, std::size_t& sent);
  bool requestSent() const;
  void receive();
  ReadEnd readSome();
  void pump();
  void process();
  void peerClosed();
  void responseDone();
  void probeIdle();
  void resumed();

  // The exchange fails (or goes to a fresh connection, when `retryable` and this was a stale
  // kept-alive connection); the connection closes.
  void fail(UpstreamFailureKind kind, std::string what, bool retryable);
  void closeAndReport();
  void closeSocket();
  void updateInterest();
  void setInterest(bool read, bool write);
  void reserveReadSpace();
  std::size_t buffered() const { return in_end_ - in_begin_; }

  ConnectionContext& context_;
  std::shared_ptr<const UpstreamOrigin> origin_;
  Poco::Net::StreamSocket socket_;
  int fd_ = -1;
  std::unique_ptr<TlsStream> tls_;
  bool watched_ = false;  // by the loop: failures are heard even with neither below
  bool reading_ = false;  // watched for readability
  bool writing_ = false;  // watched for writability

  Phase phase_ = Phase::Closed;
  std::shared_ptr<Exchange> exchange_;
  bool reused_ = false;  // it has carried an exchange before this one
  ResponseReader reader_;
  bool paused_ = false;         // the observer asked for a pause
  bool resumed_early_ = false;  // resume() came inside onBody, before it returned false
  bool eof_ = false;            // the provider closed; acted on once buffered bytes are parsed
  bool read_failed_ = false;
  bool output_broken_ = false;  // sending failed; the read side says how the exchange ends

  // TLS may need the other readiness than the operation suggests.
  bool handshake_wants_write_ = false;
  bool read_wants_write_ = false;
  bool write_wants_read_ = false;

  std::vector<char> in_;  // bytes received; [in_begin_, in_end_) not parsed yet
  std::size_t in_begin_ = 0;
  std::size_t in_end_ = 0;
  std::size_t out_sent_ = 0;  // of the exchange's head + body

  Clock::time_point started_;        // connecting began
  Clock::time_point last_progress_;  // a byte moved in either direction (or the pause ended)
  Clock::time_point idle_since_;
};

}  // namespace keyhop::proxy
