#pragma once

// Internal to the server. One I/O thread: a Poco SocketReactor that owns the connections
// handed to it and runs everything about them. Nothing on this thread blocks; other threads
// reach it only through post().

#include <Poco/Net/SocketNotification.h>
#include <Poco/Net/SocketReactor.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Observer.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/server/http_message.hpp"
#include "core/server/mailbox.hpp"
#include "core/server/reactor_service.hpp"
#include "core/server/response_stream.hpp"
#include "core/server/server_context.hpp"

namespace keyhop::server {

class Connection;

class ServerReactor final : public Poco::Net::SocketReactor {
 public:
  // `context` is owned by the HttpServer, which outlives the reactor.
  ServerReactor(const ServerContext& context, std::chrono::milliseconds poll_timeout);
  ~ServerReactor() override;

  void start();
  // Closes every connection, ends the loop and joins the thread. Idempotent.
  void stopAndJoin();

  // Any thread. Runs `task` on this reactor's thread; false once the reactor is stopping.
  bool post(Mailbox::Task task);
  // Any thread. The reactor takes over a freshly accepted socket.
  void adopt(Poco::Net::StreamSocket socket, std::string remote_address);
  // Any thread. Closes idle connections now and the others after their current response.
  void beginDrain();

  // This reactor's thread only.
  bool draining() const { return draining_; }
  const std::shared_ptr<Mailbox>& mailbox() const { return mailbox_; }
  // The answer to connection `id`'s request in flight; dropped if the connection is gone.
  void complete(std::uint64_t id, Response&& response);
  // The same, answered in pieces (Responder::stream).
  void startStream(std::uint64_t id, std::function<void(ResponseStream&)>&& start);
  ReactorService* service() { return service_.get(); }
  // `connection` has closed its socket: destroy it once no call of it is on the stack.
  void release(std::uint64_t id);

 protected:
  void onBusy() override;
  void onTimeout() override;

 private:
  void onWake(Poco::Net::ReadableNotification* notification);
  void adoptHere(Poco::Net::StreamSocket socket, std::string remote_address);
  void sweep();
  void closeAll();
  // The open connections, to walk while closing some (which changes connections_).
  std::vector<Connection*> snapshot() const;

  const ServerContext& context_;
  std::shared_ptr<Mailbox> mailbox_;  // shared with every Responder of this reactor
  Poco::Observer<ServerReactor, Poco::Net::ReadableNotification> wake_observer_;
  std::thread thread_;
  std::uint64_t next_id_ = 1;
  std::unordered_map<std::uint64_t, std::unique_ptr<Connection>> connections_;
  std::vector<std::unique_ptr<Connection>> released_;
  std::unique_ptr<ReactorService> service_;  // made and destroyed on this thread
  bool draining_ = false;
  std::chrono::steady_clock::time_point next_sweep_;
  std::chrono::milliseconds sweep_interval_;
};

}  // namespace keyhop::server
