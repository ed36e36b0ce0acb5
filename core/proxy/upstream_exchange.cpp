#include "core/proxy/upstream_exchange.hpp"

namespace keyhop::proxy {

Exchange::Exchange(ExchangeHost& host, UpstreamObserver& observer, UpstreamTarget target,
                   RequestBytes bytes, bool head_request)
    : host_(&host),
      observer_(&observer),
      target_(std::move(target)),
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

bool Exchange::deliverHead(UpstreamHead&& head) {
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
  observer_->onFailure(UpstreamFailure{kind, target_.origin + ": " + what, head_delivered_});
}

}  // namespace keyhop::proxy
