#include "core/server/handlers/proxy_exchange.hpp"

#include <Poco/Logger.h>

#include <optional>
#include <random>
#include <string>

#include "core/proxy/header_rules.hpp"
#include "core/proxy/retry_policy.hpp"
#include "core/server/api_error.hpp"
#include "core/server/handlers/credentials_failure.hpp"
#include "core/server/handlers/upstream_service.hpp"

namespace keyhop::server {
namespace {

constexpr std::size_t kMaxHeldBody = 64 * 1024;

Response upstreamFailure(const proxy::UpstreamFailure& failure) {
  switch (failure.kind) {
    case proxy::UpstreamFailureKind::Timeout:
      return keyhopError(504, "upstream_timeout", failure.message);
    case proxy::UpstreamFailureKind::Unreachable:
      return keyhopError(502, "upstream_unreachable", failure.message);
    case proxy::UpstreamFailureKind::Protocol:
      break;
  }
  return keyhopError(502, "upstream_protocol_error", failure.message);
}

// Whether the request may be sent again after `failure`: only when no answer was begun and the
// provider could not be reached or was silent (a broken answer may have been acted upon).
bool retryableFailure(const proxy::UpstreamFailure& failure) {
  return !failure.head_received && failure.kind != proxy::UpstreamFailureKind::Protocol;
}

double jitterFraction() {
  thread_local std::minstd_rand engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

class ProxyExchange final : public proxy::UpstreamObserver,
                            public StreamListener,
                            public std::enable_shared_from_this<ProxyExchange> {
 public:
  ProxyExchange(ResponseStream& stream, proxy::UpstreamPool& pool, proxy::ReactorTimer& timer,
                credentials::CredentialsEngine& engine, credentials::SnapshotPtr connection,
                ProxyPlan plan)
      : stream_(stream),
        pool_(pool),
        timer_(timer),
        engine_(engine),
        connection_(std::move(connection)),
        plan_(std::move(plan)) {}

  void start() {
    self_ = shared_from_this();
    stream_.listen(weak_from_this());
    sendPlan();
  }

  void onHead(const proxy::UpstreamHeadView& head) override {
    if (!replayed_ && isAuthFailure(connection_->provider->spec, head.status)) {
      if (!plan_.body_stream) {
        replayWithRefreshedCredential();
        return;
      }
      refreshForNextRequest();
    }
    if (proxy::isRetryableStatus(head.status) &&
        retryLater(proxy::requestedWait(head.headers,
                                        connection_->provider->spec.api.retry_after_headers,
                                        std::chrono::system_clock::now()))) {
      return;
    }
    if (!replayed_ && mayHideAuthFailure(head)) {
      held_head_ = head.owned();
      return;
    }
    sendHead(head.status, head.reason, head.headers, head.content_length, head.has_body);
  }

  bool onBody(std::string_view bytes) override {
    if (client_gone_) return true;
    if (!held_head_) return stream_.sendBody(bytes);
    held_body_.append(bytes.data(), bytes.size());
    if (held_body_.size() > kMaxHeldBody) return releaseHeld();
    return true;
  }

  void onEnd() override {
    if (held_head_ && !client_gone_) {
      bool rejected = false;
      const ResponseView view{held_head_->status, held_head_->headers, held_body_};
      const auto& provider = *connection_->provider;
      if (provider.hooks->recognizeAuthFailure(provider.spec, view, rejected) == HookStatus::Done &&
          rejected) {
        if (!plan_.body_stream) {
          held_head_.reset();
          held_body_.clear();
          replayWithRefreshedCredential();
          return;
        }
        refreshForNextRequest();
      }
      releaseHeld();
    }
    const auto keep = std::move(self_);  // gone when this returns
    if (!client_gone_) stream_.end();
  }

  void onFailure(const proxy::UpstreamFailure& failure) override {
    if (retryableFailure(failure) && retryLater(std::nullopt)) return;
    const auto keep = std::move(self_);
    if (!client_gone_) stream_.fail(upstreamFailure(failure));
  }

  void onBodyWanted() override { plan_.body_stream->resume(); }

  void streamDrained() override {
    if (upstream_) upstream_->resume();
  }

  void streamClosed() override {
    const auto keep = std::move(self_);
    client_gone_ = true;
    if (upstream_) upstream_->cancel();
    if (waiting_) timer_.cancel(*waiting_);
  }

 private:
  // A plugin's recognizeAuthFailure hook reads whole answers that look fine by their status
  // (Slack's 200 {"ok":false,"error":"invalid_auth"}): such an answer is held, up to
  // kMaxHeldBody, until the hook has seen it. Descriptor providers have no such hook.
  bool mayHideAuthFailure(const proxy::UpstreamHeadView& head) const {
    return connection_->provider->library && head.has_body && head.status >= 200 &&
           head.status < 300;
  }

  void sendHead(int status, std::string_view reason, const flows::HeaderViews& headers,
                std::optional<std::uint64_t> content_length, bool has_body) {
    stream_.sendHead(status, reason, proxy::responseHeadersToReturn(headers), content_length,
                     has_body);
  }

  // Too long to be an error body, or the hook has decided: the held answer goes out.
  bool releaseHeld() {
    const proxy::UpstreamHead& held = *held_head_;
    sendHead(held.status, held.reason, flows::viewsOf(held.headers), held.content_length,
             held.has_body);
    held_head_.reset();
    const bool more = stream_.sendBody(held_body_);
    held_body_ = std::string();
    return more;
  }

  // The client's body goes on to the provider as it arrives, no faster than the provider takes
  // it. Should it break off, the provider's exchange is dropped: it must not act on a part.
  void sendStreamedBody() {
    std::weak_ptr<ProxyExchange> weak = self_;
    plan_.body_stream->read(
        [weak](std::string_view piece) {
          const auto exchange = weak.lock();
          return !exchange || !exchange->upstream_ || exchange->upstream_->write(piece);
        },
        [weak](const std::string& failure) {
          if (const auto exchange = weak.lock()) exchange->streamedBodyEnded(failure);
        });
  }

  void streamedBodyEnded(const std::string& failure) {
    if (!upstream_ || client_gone_) return;
    if (failure.empty()) {
      upstream_->finish();
      return;
    }
    upstream_->cancel();
    upstream_.reset();
    const auto keep = std::move(self_);
    stream_.fail(keyhopError(400, "incomplete_body", failure));
  }

  // The provider refused the credential of a request that cannot be replayed (its body was
  // streamed): its answer goes to the client, and the credential is renewed for the next one.
  void refreshForNextRequest() {
    stream_.offload([&engine = engine_, key = connection_->key]() -> std::function<void()> {
      try {
        engine.fresh(key, true);
      } catch (const std::exception& e) {
        Poco::Logger::get("keyhop.api").error(std::string("proxy refresh failed: ") + e.what());
      }
      return nullptr;
    });
  }

  // Keyhop-Retries: while retries remain, the busy answer (or the failure) is not passed on;
  // its connection is dropped and the request sent again once the wait is over: the provider's
  // own when it names one, else a random backoff. A wait past the cap is not waited: false, and
  // the answer goes to the client as it is. The wait is a timer on the reactor (no thread
  // sleeps), cancelled if the client leaves meanwhile.
  bool retryLater(std::optional<std::chrono::milliseconds> requested) {
    if (retries_done_ >= plan_.retries) return false;
    const auto wait = requested ? *requested : proxy::backoffWait(retries_done_, jitterFraction());
    if (wait > proxy::kMaxRetryWait) return false;
    ++retries_done_;
    if (upstream_) upstream_->cancel();
    upstream_.reset();
    std::weak_ptr<ProxyExchange> weak = self_;
    waiting_ = timer_.schedule(std::chrono::steady_clock::now() + wait, [weak] {
      if (auto exchange = weak.lock()) exchange->retry();
    });
    return true;
  }

  void retry() {
    waiting_.reset();
    sendPlan();
  }

  // The refusal is not passed on: the first answer is dropped with its connection, the
  // credential renewed on a worker (one refresh however many requests ask), and the request
  // sent once more. Whatever the second answer is, it goes to the client.
  void replayWithRefreshedCredential() {
    replayed_ = true;
    upstream_->cancel();
    upstream_.reset();
    std::weak_ptr<ProxyExchange> weak = self_;
    stream_.offload([weak, &engine = engine_, key = connection_->key]() -> std::function<void()> {
      try {
        auto fresh = std::make_shared<credentials::FreshResult>(engine.fresh(key, true));
        return [weak, fresh] {
          if (auto exchange = weak.lock()) exchange->replay(*fresh);
        };
      } catch (const std::exception& e) {
        // The store cannot be used. Its message names the database, never a secret.
        Poco::Logger::get("keyhop.api").error(std::string("proxy refresh failed: ") + e.what());
        return [weak] {
          if (auto exchange = weak.lock()) exchange->giveUp();
        };
      }
    });
  }

  void replay(const credentials::FreshResult& fresh) {
    if (client_gone_) return;
    if (!fresh) {
      const auto keep = std::move(self_);
      stream_.fail(credentialsFailure(fresh.failure()));
      return;
    }
    connection_ = fresh.shared();
    sendPlan();
  }

  // Each attempt is stamped anew: an OAuth 1.0a signature (its nonce) is good for one request
  // only, and a replay carries the refreshed credential.
  void sendPlan() {
    auto refused = stampPlan(*connection_, plan_, [this](const proxy::UpstreamRequest& request) {
      upstream_ = pool_.send(plan_.target.origin, request, *this);
    });
    if (refused) {
      const auto keep = std::move(self_);
      stream_.fail(std::move(*refused));
      return;
    }
    if (plan_.body_stream) sendStreamedBody();
  }

  void giveUp() {
    const auto keep = std::move(self_);
    if (!client_gone_) {
      stream_.fail(keyhopError(503, "store_unavailable", "keyhop cannot read its store now"));
    }
  }

  ResponseStream& stream_;  // valid until the client is gone or the answer ended
  proxy::UpstreamPool& pool_;
  proxy::ReactorTimer& timer_;  // the reactor's, like the pool: both outlive the client
  credentials::CredentialsEngine& engine_;
  credentials::SnapshotPtr connection_;
  ProxyPlan plan_;
  std::shared_ptr<proxy::UpstreamExchange> upstream_;
  std::shared_ptr<ProxyExchange> self_;  // the exchange's life: set by start, cleared once done
  std::optional<proxy::UpstreamHead> held_head_;
  std::string held_body_;
  std::optional<proxy::ReactorTimer::Handle> waiting_;  // a retry's timer, while it runs
  int retries_done_ = 0;
  bool replayed_ = false;
  bool client_gone_ = false;
};

}  // namespace

void startProxyExchange(ResponseStream& stream, credentials::CredentialsEngine& engine,
                        credentials::SnapshotPtr connection, ProxyPlan plan) {
  auto* service = dynamic_cast<UpstreamService*>(stream.service());
  if (!service) {
    stream.fail(keyhopError(500, "proxy_unavailable", "this server has no upstream pool"));
    return;
  }
  std::make_shared<ProxyExchange>(stream, service->pool(), service->timer(), engine,
                                  std::move(connection), std::move(plan))
      ->start();
}

}  // namespace keyhop::server
