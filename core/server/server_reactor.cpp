#include "core/server/server_reactor.hpp"

#include <pthread.h>

#include "core/server/connection.hpp"

namespace keyhop::server {

using Clock = std::chrono::steady_clock;

ServerReactor::ServerReactor(const ServerContext& context, std::chrono::milliseconds poll_timeout)
    : context_(context),
      mailbox_(std::make_shared<Mailbox>()),
      next_sweep_(Clock::now()),
      sweep_interval_(poll_timeout) {
  loop_.watch(mailbox_->wakeSocket().impl()->sockfd(), *this, true, false);
}

ServerReactor::~ServerReactor() { stopAndJoin(); }

void ServerReactor::start() {
  thread_ = std::thread([this] {
    mailbox_->bindToCurrentThread();
    try {
      if (context_.reactor_service) service_ = context_.reactor_service(loop_);
    } catch (const std::exception& e) {
      context_.log.error("the reactor's service could not start: %s", std::string(e.what()));
    }
    loop_.run(
        sweep_interval_, [this] { afterTurn(); },
        [this](const std::exception& e) {
          context_.log.error("reactor event failed: %s", std::string(e.what()));
        });
    mailbox_->unbindFromCurrentThread();
  });
  pthread_setname_np(thread_.native_handle(), "keyhop-reactor");
}

void ServerReactor::stopAndJoin() {
  if (!thread_.joinable()) return;
  post([this] {  // the mailbox closes only below, so this runs
    closeAll();
    service_.reset();
    loop_.stop();
  });
  thread_.join();
  mailbox_->close();
  loop_.unwatch(mailbox_->wakeSocket().impl()->sockfd());
  released_.clear();
}

bool ServerReactor::post(Mailbox::Task task) { return mailbox_->post(std::move(task)); }

void ServerReactor::adopt(Poco::Net::StreamSocket socket, std::string remote_address) {
  if (mailbox_->isOwnerThread()) {
    adoptHere(std::move(socket), std::move(remote_address));
    return;
  }
  // A std::function must be copyable; the socket is a shared handle, so copies are cheap.
  const bool posted = post([this, socket, remote_address]() mutable {
    adoptHere(std::move(socket), std::move(remote_address));
  });
  if (!posted) context_.gauge.closed();  // stopping: the socket closes with the dropped task
}

void ServerReactor::adoptHere(Poco::Net::StreamSocket socket, std::string remote_address) {
  if (draining_) {
    context_.gauge.closed();
    return;
  }
  const std::uint64_t id = next_id_++;
  auto connection = std::make_unique<Connection>(*this, context_, std::move(socket),
                                                 std::move(remote_address), id);
  Connection& added = *connection;
  connections_.emplace(id, std::move(connection));
  added.start();
}

void ServerReactor::beginDrain() {
  post([this] {
    draining_ = true;
    for (Connection* connection : snapshot()) connection->drain();
  });
}

void ServerReactor::complete(std::uint64_t id, Response&& response) {
  const auto it = connections_.find(id);
  if (it != connections_.end()) it->second->complete(std::move(response));
}

void ServerReactor::release(std::uint64_t id) {
  const auto it = connections_.find(id);
  if (it == connections_.end()) return;
  released_.push_back(std::move(it->second));
  connections_.erase(it);
  context_.gauge.closed();
}

void ServerReactor::afterTurn() {
  released_.clear();
  sweep();
}

void ServerReactor::onReady(unsigned) {
  for (auto& task : mailbox_->take()) {
    try {
      task();
    } catch (const std::exception& e) {
      context_.log.error("reactor task failed: %s", std::string(e.what()));
    } catch (...) {
      context_.log.error("reactor task failed with an unknown exception");
    }
  }
}

void ServerReactor::sweep() {
  const auto now = loop_.now();
  if (now < next_sweep_) return;
  next_sweep_ = now + sweep_interval_;
  for (Connection* connection : snapshot()) connection->checkTimeouts(now);
  if (service_) service_->tick(now);
}

void ServerReactor::closeAll() {
  for (Connection* connection : snapshot()) connection->close();
}

std::vector<Connection*> ServerReactor::snapshot() const {
  std::vector<Connection*> open;
  open.reserve(connections_.size());
  for (const auto& entry : connections_) open.push_back(entry.second.get());
  return open;
}

}  // namespace keyhop::server
