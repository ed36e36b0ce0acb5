#pragma once

// A raw TCP server on 127.0.0.1 that plays a script on each connection it accepts, for answers
// a well-behaved HTTP server never gives: garbage, silence, a close in the middle of a body, a
// kept-alive connection closed under the next request. Every request it reads is recorded.

#include <Poco/Net/StreamSocket.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace keyhop::test {

class ScriptedServer;

// One accepted connection, on its own thread.
class ScriptedConnection final {
 public:
  ScriptedConnection(ScriptedServer& server, Poco::Net::StreamSocket socket);

  // One request: its head and a Content-Length body, raw. Empty when the peer closed first.
  std::optional<std::string> readRequest();
  void send(std::string_view bytes);
  void close();
  // Blocks until the server is being destroyed: a peer that never answers.
  void stall();

 private:
  ScriptedServer& server_;
  Poco::Net::StreamSocket socket_;
  std::string buffered_;
};

class ScriptedServer final {
 public:
  // `script` runs on a thread of its own for each accepted connection; `index` counts them
  // from 0. The connection closes when the script returns.
  using Script = std::function<void(ScriptedConnection& connection, int index)>;

  explicit ScriptedServer(Script script);
  ~ScriptedServer();  // wakes stalled scripts, closes the connections and joins
  ScriptedServer(const ScriptedServer&) = delete;
  ScriptedServer& operator=(const ScriptedServer&) = delete;

  std::uint16_t port() const;
  int connections() const;                    // accepted so far
  std::vector<std::string> requests() const;  // every request read, in order

 private:
  friend class ScriptedConnection;
  class State;
  std::unique_ptr<State> state_;
};

}  // namespace keyhop::test
