#include "core/server/http_server.hpp"

#include <Poco/Logger.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocketImpl.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <future>
#include <stdexcept>
#include <thread>
#include <vector>

#include "core/server/server_context.hpp"
#include "core/server/server_reactor.hpp"
#include "core/server/worker_pool.hpp"

namespace keyhop::server {
namespace {

// Accepts taken per readiness event, so a connection storm cannot starve reactor 0's own
// connections.
constexpr int kAcceptBatch = 64;

}  // namespace

class HttpServer::Impl final : private net::EventHandler {
 public:
  Impl(const Router& router, ServerOptions options)
      : router_(router), options_(std::move(options)), log_(Poco::Logger::get("keyhop.server")) {}

  ~Impl() { stop(); }

  void start();
  void stop();
  std::uint16_t port() const { return port_; }

 private:
  // The listener is readable: connections to accept.
  void onReady(unsigned ready) override;

  const Router& router_;
  const ServerOptions options_;
  Poco::Logger& log_;
  ConnectionGauge gauge_;
  std::unique_ptr<WorkerPool> workers_;
  std::unique_ptr<ServerContext> context_;
  std::vector<std::unique_ptr<ServerReactor>> reactors_;  // [0] also accepts
  Poco::Net::ServerSocket listener_;  // touched only on reactor 0's thread once started
  std::size_t next_reactor_ = 0;
  std::uint16_t port_ = 0;
  bool started_ = false;
  bool stopped_ = false;
};

void HttpServer::Impl::start() {
  if (started_) throw std::logic_error("HttpServer::start called twice");
  started_ = true;

  const std::string where = options_.bind_address + ":" + std::to_string(options_.port);
  try {
    // SO_REUSEADDR for restarts over TIME_WAIT; never SO_REUSEPORT, which would let a second
    // server share the port silently.
    listener_.bind(Poco::Net::SocketAddress(options_.bind_address, options_.port), true, false);
    listener_.listen(options_.listen_backlog);
    listener_.setBlocking(false);
    port_ = listener_.address().port();
  } catch (const Poco::Exception& e) {
    throw std::runtime_error("cannot listen on " + where + ": " + e.displayText());
  }

  const unsigned reactor_count = options_.reactor_threads
                                     ? options_.reactor_threads
                                     : std::max(1u, std::thread::hardware_concurrency());
  workers_ = std::make_unique<WorkerPool>(std::max(1u, options_.worker_threads));
  context_ = std::make_unique<ServerContext>(
      ServerContext{router_, *workers_, gauge_, log_, options_.max_header_bytes,
                    options_.max_body_bytes, options_.idle_timeout, options_.reactor_service});
  // Worker answers arrive through each reactor's wake-up socket, so the poll timeout only paces
  // the idle-connection sweep.
  const auto poll_timeout = std::clamp(options_.idle_timeout / 4, std::chrono::milliseconds(10),
                                       std::chrono::milliseconds(250));
  std::vector<std::unique_ptr<ServerReactor>> reactors;
  for (unsigned i = 0; i < reactor_count; ++i) {
    reactors.push_back(std::make_unique<ServerReactor>(*context_, poll_timeout));
  }
  reactors_ = std::move(reactors);  // only once all exist: stop() expects them running
  reactors_[0]->loop().watch(listener_.impl()->sockfd(), *this, true, false);
  for (auto& reactor : reactors_) reactor->start();
  log_.debug("listening on %s:%hu (%u reactor threads, %u workers)", options_.bind_address, port_,
             reactor_count, std::max(1u, options_.worker_threads));
}

void HttpServer::Impl::stop() {
  if (!started_ || stopped_ || reactors_.empty()) return;
  stopped_ = true;

  // The listener belongs to reactor 0's thread; close it there and wait.
  std::promise<void> closed;
  reactors_[0]->post([this, &closed] {
    reactors_[0]->loop().unwatch(listener_.impl()->sockfd());
    listener_.close();
    closed.set_value();
  });
  closed.get_future().wait();

  for (auto& reactor : reactors_) reactor->beginDrain();
  if (!gauge_.waitForNone(std::chrono::steady_clock::now() + options_.stop_timeout)) {
    log_.warning("stopping with %z connections still busy after %Ld ms", gauge_.open(),
                 static_cast<Poco::Int64>(options_.stop_timeout.count()));
  }
  for (auto& reactor : reactors_) reactor->stopAndJoin();
  workers_->stop();
  reactors_.clear();
}

void HttpServer::Impl::onReady(unsigned) {
  const int listener_fd = listener_.impl()->sockfd();
  for (int i = 0; i < kAcceptBatch; ++i) {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    const int fd = ::accept4(listener_fd, reinterpret_cast<sockaddr*>(&address), &length,
                             SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        log_.warning("accept failed: %s", std::string(std::strerror(errno)));
      }
      return;
    }
    // Poco's socket is told nothing of O_NONBLOCK: the connection does its own I/O.
    Poco::Net::StreamSocket socket(new Poco::Net::StreamSocketImpl(fd));
    std::string remote =
        Poco::Net::SocketAddress(reinterpret_cast<const sockaddr*>(&address), length).toString();
    gauge_.opened();
    reactors_[next_reactor_]->adopt(std::move(socket), std::move(remote));
    next_reactor_ = (next_reactor_ + 1) % reactors_.size();
  }
}

HttpServer::HttpServer(const Router& router, ServerOptions options)
    : impl_(std::make_unique<Impl>(router, std::move(options))) {}

HttpServer::~HttpServer() = default;

void HttpServer::start() { impl_->start(); }

void HttpServer::stop() { impl_->stop(); }

std::uint16_t HttpServer::port() const { return impl_->port(); }

}  // namespace keyhop::server
