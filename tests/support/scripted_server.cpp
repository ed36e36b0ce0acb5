#include "tests/support/scripted_server.hpp"

#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/String.h>

#include <condition_variable>
#include <list>
#include <mutex>
#include <thread>

namespace keyhop::test {

class ScriptedServer::State {
 public:
  explicit State(Script run)
      : script(std::move(run)), listener(Poco::Net::SocketAddress("127.0.0.1", 0)) {}

  Script script;
  Poco::Net::ServerSocket listener;
  std::atomic<bool> stopping{false};
  std::atomic<int> accepted{0};
  mutable std::mutex mutex;
  std::condition_variable stopped;
  std::vector<std::string> requests;
  std::list<Poco::Net::StreamSocket> sockets;
  std::list<std::thread> threads;
  std::thread acceptor;
};

ScriptedConnection::ScriptedConnection(ScriptedServer& server, Poco::Net::StreamSocket socket)
    : server_(server), socket_(std::move(socket)) {}

std::optional<std::string> ScriptedConnection::readRequest() {
  char chunk[4096];
  auto fill = [&]() -> bool {
    try {
      const int n = socket_.receiveBytes(chunk, sizeof chunk);
      if (n <= 0) return false;
      buffered_.append(chunk, static_cast<std::size_t>(n));
      return true;
    } catch (const Poco::Exception&) {
      return false;
    }
  };
  std::size_t end;
  while ((end = buffered_.find("\r\n\r\n")) == std::string::npos) {
    if (!fill()) return std::nullopt;
  }
  std::size_t length = 0;
  const std::string head = Poco::toLower(buffered_.substr(0, end));
  if (const auto at = head.find("\r\ncontent-length:"); at != std::string::npos) {
    length = std::stoul(head.substr(at + 17));
  }
  while (buffered_.size() < end + 4 + length) {
    if (!fill()) return std::nullopt;
  }
  std::string request = buffered_.substr(0, end + 4 + length);
  buffered_.erase(0, request.size());
  std::lock_guard<std::mutex> lock(server_.state_->mutex);
  server_.state_->requests.push_back(request);
  return request;
}

void ScriptedConnection::send(std::string_view bytes) {
  try {
    socket_.sendBytes(bytes.data(), static_cast<int>(bytes.size()));
  } catch (const Poco::Exception&) {
    // the peer left; the script goes on regardless
  }
}

void ScriptedConnection::close() { socket_.close(); }

void ScriptedConnection::stall() {
  auto& state = *server_.state_;
  std::unique_lock<std::mutex> lock(state.mutex);
  state.stopped.wait(lock, [&] { return state.stopping.load(); });
}

ScriptedServer::ScriptedServer(Script script) : state_(std::make_unique<State>(std::move(script))) {
  state_->acceptor = std::thread([this] {
    auto& state = *state_;
    while (!state.stopping) {
      if (!state.listener.poll(Poco::Timespan(20 * 1000), Poco::Net::Socket::SELECT_READ)) {
        continue;
      }
      Poco::Net::StreamSocket socket = state.listener.acceptConnection();
      const int index = state.accepted++;
      std::lock_guard<std::mutex> lock(state.mutex);
      state.sockets.push_back(socket);
      state.threads.emplace_back([this, socket, index] {
        ScriptedConnection connection(*this, socket);
        state_->script(connection, index);
        connection.close();
      });
    }
  });
}

ScriptedServer::~ScriptedServer() {
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->stopping = true;
    for (auto& socket : state_->sockets) {
      try {
        socket.shutdown();  // wakes a script blocked in a read
      } catch (const Poco::Exception&) {
      }
    }
  }
  state_->stopped.notify_all();
  state_->acceptor.join();
  for (auto& thread : state_->threads) thread.join();
}

std::uint16_t ScriptedServer::port() const { return state_->listener.address().port(); }

int ScriptedServer::connections() const { return state_->accepted; }

std::vector<std::string> ScriptedServer::requests() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->requests;
}

}  // namespace keyhop::test
