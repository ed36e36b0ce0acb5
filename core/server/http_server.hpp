#pragma once

// keyhop's HTTP/1.1 server: event-driven, a few reactor threads doing all socket I/O without
// blocking, and a worker pool for handlers that may block (docs/server.md). Handlers see only
// Request, Response and the Router.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/server/reactor_service.hpp"
#include "core/server/router.hpp"

namespace keyhop::server {

struct ServerOptions {
  std::string bind_address = "127.0.0.1";
  std::uint16_t port = 0;        // 0: any free port; HttpServer::port() says which
  unsigned reactor_threads = 0;  // 0: one per core
  unsigned worker_threads = 8;
  std::size_t max_header_bytes = 64 * 1024;  // request line and headers; more is a 431
  std::size_t max_body_bytes = 1024 * 1024;  // more is a 413
  // A connection with no request in progress, or a client that stops sending or reading, is
  // closed after this long.
  std::chrono::milliseconds idle_timeout{60'000};
  // How long stop() lets requests in flight finish before it closes their connections.
  std::chrono::milliseconds stop_timeout{5'000};
  int listen_backlog = 1024;
  // Made once per reactor thread at start (the proxy's upstream pool); none when empty.
  ReactorServiceFactory reactor_service;
};

class HttpServer final {
 public:
  // `router` is the caller's: it must outlive the server and not change while the server runs.
  explicit HttpServer(const Router& router, ServerOptions options = {});
  ~HttpServer();  // stops
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts serving. Throws std::runtime_error naming the address when it cannot
  // listen, std::logic_error when called twice.
  void start();

  // Graceful: stops accepting, closes idle connections, lets requests in flight finish (up to
  // stop_timeout), then closes the rest and joins every thread. Idempotent. Must not be called
  // from a handler (it waits for the handlers' threads). A handler that never returns blocks it.
  void stop();

  // The bound port once started.
  std::uint16_t port() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace keyhop::server
