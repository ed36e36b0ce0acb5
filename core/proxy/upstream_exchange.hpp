#pragma once

// Internal to the proxy. One request and the events of its answer. It belongs to whoever holds
// it (the caller, the pool's queue, the connection carrying it) and stops delivering events once
// finished: after onEnd or onFailure, after cancel(), or when the pool goes.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "core/proxy/request_head.hpp"
#include "core/proxy/upstream_pool.hpp"

namespace keyhop::proxy {

class Exchange;
class UpstreamConnection;

// What resume() and cancel() need: the pool, which knows where the exchange is.
class ExchangeHost {
 public:
  virtual ~ExchangeHost() = default;
  virtual void resume(Exchange& exchange) = 0;
  virtual void cancel(Exchange& exchange) = 0;
  // More of a body that follows is queued: send it if a connection carries the exchange.
  virtual void bodyQueued(Exchange& exchange) = 0;
};

class Exchange final : public UpstreamExchange {
 public:
  // `host` and `observer` outlive the exchange's events (see UpstreamPool::send).
  Exchange(ExchangeHost& host, UpstreamObserver& observer,
           std::shared_ptr<const UpstreamOrigin> origin, RequestBytes bytes, bool head_request);

  void resume() override;
  void cancel() override;
  bool write(std::string_view bytes) override;
  void finish() override;

  bool finished() const { return host_ == nullptr; }
  // No more events, and resume() and cancel() do nothing: the pool is going.
  void abandon() { host_ = nullptr; }

  // Events, each ignored once finished. false from the first two: stop reading (finished, or
  // the observer wants a pause).
  bool deliverHead(const UpstreamHeadView& head);
  bool deliverBody(std::string_view bytes);
  void deliverEnd();
  // The message is "<origin>: <what>".
  void deliverFailure(UpstreamFailureKind kind, const std::string& what);

  const UpstreamOrigin& origin() const { return *origin_; }
  const std::shared_ptr<const UpstreamOrigin>& sharedOrigin() const { return origin_; }
  const RequestBytes& bytes() const { return bytes_; }
  bool headRequest() const { return head_request_; }

  // A body that follows, for the connection sending it: what is queued and not sent yet...
  std::string_view queuedBody() const;
  // ...of which `sent` bytes left. true when the writer should hear it may write again.
  bool queuedBodySent(std::size_t sent);
  void deliverBodyWanted();
  // The whole request (head, body, a body that follows) can leave: nothing more will be queued.
  bool bodyComplete() const { return !bytes_.body_follows || body_finished_; }
  // Some of a body that follows has left: the request cannot be sent again.
  bool bodyStarted() const { return body_started_; }

  // Kept by the pool and the connections, on the reactor's thread.
  bool retried = false;  // it was sent again after a stale connection: no second time
  std::chrono::steady_clock::time_point queued_at;
  std::weak_ptr<UpstreamConnection> connection;  // the one carrying it, if any

 private:
  ExchangeHost* host_;
  UpstreamObserver* observer_;
  std::shared_ptr<const UpstreamOrigin> origin_;
  RequestBytes bytes_;
  bool head_request_;
  bool head_delivered_ = false;
  std::string queued_;  // a body that follows, framed; [queued_sent_, size) not sent yet
  std::size_t queued_sent_ = 0;
  bool body_finished_ = false;
  bool body_started_ = false;
  bool writer_waits_ = false;  // write() said "wait"
};

}  // namespace keyhop::proxy
