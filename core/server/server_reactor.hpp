#pragma once

// Internal to the server. One I/O thread: an event loop that owns the connections handed to it
// and runs everything about them. Nothing on this thread blocks; other threads reach it only
// through post().

#include <Poco/Net/StreamSocket.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/net/event_loop.hpp"
#include "core/server/http_message.hpp"
#include "core/server/mailbox.hpp"
#include "core/server/reactor_service.hpp"
#include "core/server/server_context.hpp"

namespace keyhop::server {

class Connection;

class ServerReactor final : private net::EventHandler {
 public:
  // `context` is owned by the HttpServer, which outlives the reactor.
  ServerReactor(const ServerContext& context, std::chrono::milliseconds poll_timeout);
  ~ServerReactor();

  void start();
  // Closes every connection, ends the loop and joins the thread. Idempotent.
  void stopAndJoin();

  // Any thread. Runs `task` on this reactor's thread; false once the reactor is stopping.
  bool post(Mailbox::Task task);
  // Any thread. The reactor takes over a freshly accepted socket.
  void adopt(Poco::Net::StreamSocket socket, std::string remote_address);
  // Any thread. Closes idle connections now and the others after their current response.
  void beginDrain();

  // This reactor's thread only (or before start()).
  net::EventLoop& loop() { return loop_; }
  bool draining() const { return draining_; }
  const std::shared_ptr<Mailbox>& mailbox() const { return mailbox_; }
  // The answer to connection `id`'s request in flight; dropped if the connection is gone.
  void complete(std::uint64_t id, Response&& response);
  ReactorService* service() { return service_.get(); }
  // `connection` has closed its socket: destroy it once no call of it is on the stack.
  void release(std::uint64_t id);

 private:
  // The mailbox's wake-up socket is readable.
  void onReady(unsigned ready) override;
  void afterTurn();
  void adoptHere(Poco::Net::StreamSocket socket, std::string remote_address);
  void sweep();
  void closeAll();
  // The open connections, to walk while closing some (which changes connections_).
  std::vector<Connection*> snapshot() const;

  const ServerContext& context_;
  net::EventLoop loop_;
  std::shared_ptr<Mailbox> mailbox_;  // shared with every Responder of this reactor
  std::thread thread_;
  std::uint64_t next_id_ = 1;
  std::unordered_map<std::uint64_t, std::unique_ptr<Connection>> connections_;
  std::vector<std::unique_ptr<Connection>> released_;
  std::unique_ptr<ReactorService> service_;  // made and destroyed on this thread
  bool draining_ = false;
  std::chrono::steady_clock::time_point next_sweep_;
  std::chrono::milliseconds sweep_interval_;  // also the loop's longest wait
};

}  // namespace keyhop::server
