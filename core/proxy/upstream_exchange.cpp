#include "core/proxy/upstream_exchange.hpp"

#include <cstdio>

namespace keyhop::proxy {
namespace {

// A writer is told to wait with this much of a following body queued, and to go on below the
// low mark: the queue stays small and a socket's worth of it is always ready.
constexpr std::size_t kQueueHighWater = 256 * 1024;
constexpr std::size_t kQueueLowWater = 64 * 1024;

}  // namespace

Exchange::Exchange(ExchangeHost& host, UpstreamObserver& observer,
                   std::shared_ptr<const UpstreamOrigin> origin, RequestBytes bytes,
                   bool head_request)
    : host_(&host),
      observer_(&observer),
      origin_(std::move(origin)),
      bytes_(std::move(bytes)),
      head_request_(head_request) {}

void Exchange::resume() {
  if (host_ != nullptr) host_->resume(*this);
}

void Exchange::cancel() {
  if (host_ == nullptr) return;
  ExchangeHost* host = host_;
  host_ = nullptr;
  host->cancel(*this);
}

bool Exchange::write(std::string_view bytes) {
  if (finished() || body_finished_ || !bytes_.body_follows) return true;
  if (bytes.empty()) return true;
  if (queued_sent_ > 0 && queued_sent_ >= queued_.size() / 2) {
    queued_.erase(0, queued_sent_);
    queued_sent_ = 0;
  }
  if (bytes_.chunked) {
    char size[24];
    const int length = std::snprintf(size, sizeof size, "%zx\r\n", bytes.size());
    queued_.append(size, static_cast<std::size_t>(length));
  }
  queued_.append(bytes.data(), bytes.size());
  if (bytes_.chunked) queued_ += "\r\n";
  host_->bodyQueued(*this);
  if (finished() || queuedBody().size() < kQueueHighWater) return true;
  writer_waits_ = true;
  return false;
}

void Exchange::finish() {
  if (finished() || body_finished_ || !bytes_.body_follows) return;
  body_finished_ = true;
  if (bytes_.chunked) queued_ += "0\r\n\r\n";
  host_->bodyQueued(*this);
}

std::string_view Exchange::queuedBody() const {
  return std::string_view(queued_).substr(queued_sent_);
}

bool Exchange::queuedBodySent(std::size_t sent) {
  queued_sent_ += sent;
  body_started_ = body_started_ || sent > 0;
  if (queued_sent_ == queued_.size()) {
    queued_.clear();
    queued_sent_ = 0;
  }
  if (!writer_waits_ || queuedBody().size() >= kQueueLowWater) return false;
  writer_waits_ = false;
  return true;
}

void Exchange::deliverBodyWanted() {
  if (!finished()) observer_->onBodyWanted();
}

bool Exchange::deliverHead(const UpstreamHeadView& head) {
  if (finished()) return false;
  head_delivered_ = true;
  observer_->onHead(head);
  return !finished();
}

bool Exchange::deliverBody(std::string_view bytes) {
  if (finished()) return false;
  return observer_->onBody(bytes) && !finished();
}

void Exchange::deliverEnd() {
  if (finished()) return;
  host_ = nullptr;
  observer_->onEnd();
}

void Exchange::deliverFailure(UpstreamFailureKind kind, const std::string& what) {
  if (finished()) return;
  host_ = nullptr;
  observer_->onFailure(UpstreamFailure{kind, origin_->url + ": " + what, head_delivered_});
}

}  // namespace keyhop::proxy
