#include "core/proxy/upstream_pool.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/SocketAddress.h>

#include <algorithm>
#include <deque>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/flows/http_client.hpp"
#include "core/proxy/reactor_tasks.hpp"
#include "core/proxy/request_head.hpp"
#include "core/proxy/upstream_connection.hpp"
#include "core/proxy/upstream_exchange.hpp"
#include "core/proxy/upstream_tls.hpp"

namespace keyhop::proxy {
namespace {

using Clock = std::chrono::steady_clock;

// Providers are named hosts and the lookup blocks the reactor, so it happens on an origin's
// first connection and then once per this long, not per connection. Longer than most DNS TTLs
// of API hosts' load balancers would be wrong for long; a few minutes follows moves soon enough.
constexpr auto kAddressLifetime = std::chrono::minutes(5);
// A name that did not resolve is not looked up again for this long: exchanges to it fail at
// once instead of each blocking the reactor on the resolver.
constexpr auto kFailedLookupLifetime = std::chrono::seconds(10);

}  // namespace

class UpstreamPool::Impl final : public ConnectionOwner, public ExchangeHost {
 public:
  Impl(net::EventLoop& loop, UpstreamOptions options)
      : options_(std::move(options)),
        tls_(options_.ca_file),
        tasks_(loop),
        context_{loop, *this, tasks_, tls_, options_} {}

  ~Impl() override {
    for (const auto& connection : snapshot()) connection->shutdown();
    connections_.clear();
    for (auto& entry : origins_) {
      for (const auto& exchange : entry.second.waiting) exchange->abandon();
    }
    for (const auto& failing : failing_) failing.exchange->abandon();
  }

  std::shared_ptr<UpstreamExchange> send(std::shared_ptr<const UpstreamOrigin> to,
                                         const UpstreamRequest& request,
                                         UpstreamObserver& observer) {
    const bool head_request = request.method == "HEAD";
    const UpstreamOrigin& where = *to;
    auto exchange = std::make_shared<Exchange>(*this, observer, std::move(to),
                                               serializeRequest(request), head_request);
    Origin& origin = origins_[where.url];
    if (!where.tls && !origin.loopback) origin.loopback = flows::isLoopbackHost(where.host);
    if (!where.tls && !*origin.loopback) {
      deferFailure(exchange, UpstreamFailureKind::Unreachable,
                   "plain http is only allowed towards loopback hosts");
    } else {
      start(origin, exchange);
    }
    return exchange;
  }

  void checkTimeouts(Clock::time_point now) {
    for (const auto& connection : snapshot()) connection->checkTimeouts(now);
    std::vector<std::shared_ptr<Exchange>> expired;
    for (auto& entry : origins_) {
      auto& waiting = entry.second.waiting;
      while (!waiting.empty() && now - waiting.front()->queued_at >= options_.connect_timeout) {
        expired.push_back(std::move(waiting.front()));
        waiting.pop_front();
      }
    }
    for (const auto& exchange : expired) {
      exchange->deliverFailure(UpstreamFailureKind::Timeout, "no free connection in time");
    }
  }

  std::size_t openConnections() const { return connections_.size(); }

  std::size_t idleConnections() const {
    std::size_t idle = 0;
    for (const auto& entry : origins_) idle += entry.second.idle.size();
    return idle;
  }

  std::size_t resumedTlsSessions() const { return context_.resumed_tls_sessions; }

  bool connectionIdle(UpstreamConnection& connection) override {
    Origin& origin = origins_[connection.origin()];
    const auto it = connections_.find(&connection);
    if (it == connections_.end()) return false;
    while (!origin.waiting.empty()) {
      std::shared_ptr<Exchange> next = std::move(origin.waiting.front());
      origin.waiting.pop_front();
      if (next->finished()) continue;
      it->second->begin(std::move(next));
      return true;
    }
    if (origin.idle.size() >= options_.max_idle_per_origin) return false;
    origin.idle.push_back(it->second);
    return true;
  }

  void connectionClosed(UpstreamConnection& connection, std::shared_ptr<Exchange> lost) override {
    const auto it = connections_.find(&connection);
    if (it == connections_.end()) return;
    const std::shared_ptr<UpstreamConnection> closed = std::move(it->second);
    connections_.erase(it);
    Origin& origin = origins_[connection.origin()];
    --origin.open;
    origin.idle.erase(std::remove(origin.idle.begin(), origin.idle.end(), closed),
                      origin.idle.end());
    if (lost) {
      lost->retried = true;  // once: the fresh connection's failure is final
      open(origin, lost);
    }
    while (!origin.waiting.empty() && origin.open < options_.max_connections_per_origin) {
      std::shared_ptr<Exchange> next = std::move(origin.waiting.front());
      origin.waiting.pop_front();
      if (!next->finished()) open(origin, next);
    }
  }

  void resume(Exchange& exchange) override {
    if (const auto connection = exchange.connection.lock()) connection->resume(exchange);
  }

  void bodyQueued(Exchange& exchange) override {
    if (const auto connection = exchange.connection.lock()) connection->sendQueued(exchange);
  }

  void cancel(Exchange& exchange) override {
    if (const auto connection = exchange.connection.lock()) {
      connection->abort(exchange);
      return;
    }
    const auto found = origins_.find(exchange.origin().url);
    if (found == origins_.end()) return;
    auto& waiting = found->second.waiting;
    waiting.erase(std::remove_if(waiting.begin(), waiting.end(),
                                 [&](const auto& queued) { return queued.get() == &exchange; }),
                  waiting.end());
  }

 private:
  struct Origin {
    std::vector<std::shared_ptr<UpstreamConnection>> idle;  // the most recently used last
    std::deque<std::shared_ptr<Exchange>> waiting;          // for a free connection, in order
    std::size_t open = 0;                                   // connections, idle or not
    std::optional<Poco::Net::SocketAddress> address;        // empty: not looked up, or not found
    bool looked_up = false;
    Clock::time_point resolved_at;
    std::optional<bool> loopback;  // for plain http: whether the host is a loopback one
  };

  struct Failing {
    std::shared_ptr<Exchange> exchange;
    UpstreamFailureKind kind;
    std::string what;
  };

  void start(Origin& origin, const std::shared_ptr<Exchange>& exchange) {
    if (!origin.idle.empty()) {
      std::shared_ptr<UpstreamConnection> connection = std::move(origin.idle.back());
      origin.idle.pop_back();
      connection->begin(exchange);
      return;
    }
    if (origin.open < options_.max_connections_per_origin) {
      open(origin, exchange);
      return;
    }
    exchange->queued_at = context_.loop.now();
    origin.waiting.push_back(exchange);
  }

  // A fresh connection for `exchange`. A failure found at once reaches the observer at the
  // reactor's next turn, never inside the caller's call.
  void open(Origin& origin, const std::shared_ptr<Exchange>& exchange) {
    const UpstreamOrigin& where = exchange->origin();
    const auto now = context_.loop.now();
    const auto since_lookup = now - origin.resolved_at;
    if (!origin.address && origin.looked_up && since_lookup < kFailedLookupLifetime) {
      deferFailure(exchange, UpstreamFailureKind::Unreachable, "cannot resolve the host");
      return;
    }
    if (!origin.address || since_lookup >= kAddressLifetime) {
      origin.looked_up = true;
      origin.resolved_at = now;
      try {
        origin.address = Poco::Net::SocketAddress(where.host, where.port);
      } catch (const Poco::Exception&) {
        origin.address.reset();
        deferFailure(exchange, UpstreamFailureKind::Unreachable, "cannot resolve the host");
        return;
      }
    }
    auto connection = std::make_shared<UpstreamConnection>(context_, exchange->sharedOrigin());
    std::string error;
    if (!connection->connect(*origin.address, exchange, error)) {
      deferFailure(exchange, UpstreamFailureKind::Unreachable, error);
      return;
    }
    connections_.emplace(connection.get(), std::move(connection));
    ++origin.open;
  }

  void deferFailure(const std::shared_ptr<Exchange>& exchange, UpstreamFailureKind kind,
                    std::string what) {
    failing_.push_back({exchange, kind, std::move(what)});
    if (failing_.size() == 1) tasks_.defer([this] { deliverFailures(); });
  }

  void deliverFailures() {
    std::vector<Failing> failing;
    failing.swap(failing_);
    for (const auto& entry : failing) entry.exchange->deliverFailure(entry.kind, entry.what);
  }

  // The connections, to walk while some of them close (which changes connections_).
  std::vector<std::shared_ptr<UpstreamConnection>> snapshot() const {
    std::vector<std::shared_ptr<UpstreamConnection>> all;
    all.reserve(connections_.size());
    for (const auto& entry : connections_) all.push_back(entry.second);
    return all;
  }

  const UpstreamOptions options_;
  TlsContext tls_;  // before the connections, which use it to the end
  ReactorTasks tasks_;
  ConnectionContext context_;
  std::unordered_map<std::string, Origin> origins_;
  std::unordered_map<const UpstreamConnection*, std::shared_ptr<UpstreamConnection>> connections_;
  std::vector<Failing> failing_;  // failures found inside a call, for the next turn
};

UpstreamHead UpstreamHeadView::owned() const {
  UpstreamHead head{status, std::string(reason), {}, content_length, has_body};
  head.headers.reserve(headers.size());
  for (const auto& header : headers) {
    head.headers.push_back({std::string(header.name), std::string(header.value)});
  }
  return head;
}

UpstreamPool::UpstreamPool(net::EventLoop& loop, UpstreamOptions options)
    : impl_(std::make_unique<Impl>(loop, std::move(options))) {}

UpstreamPool::~UpstreamPool() = default;

std::shared_ptr<UpstreamExchange> UpstreamPool::send(std::shared_ptr<const UpstreamOrigin> origin,
                                                     const UpstreamRequest& request,
                                                     UpstreamObserver& observer) {
  return impl_->send(std::move(origin), request, observer);
}

void UpstreamPool::checkTimeouts(std::chrono::steady_clock::time_point now) {
  impl_->checkTimeouts(now);
}

std::size_t UpstreamPool::openConnections() const { return impl_->openConnections(); }

std::size_t UpstreamPool::idleConnections() const { return impl_->idleConnections(); }

std::size_t UpstreamPool::resumedTlsSessions() const { return impl_->resumedTlsSessions(); }

}  // namespace keyhop::proxy
