#pragma once

// Drives a real HttpServer on 127.0.0.1 through raw sockets, byte for byte, for the server's
// integration tests.

#include <Poco/AutoPtr.h>
#include <Poco/Channel.h>
#include <Poco/Logger.h>
#include <Poco/Message.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/server/http_message.hpp"
#include "tests/support/log_recorder.hpp"

namespace keyhop::server::testing {

struct RawResponse {
  int status = 0;
  std::string reason;
  HeaderList headers;
  std::string body;

  std::string header(std::string_view name) const {
    for (const auto& h : headers) {
      if (equalsIgnoreCase(h.name, name)) return h.value;
    }
    return {};
  }
  bool hasHeader(std::string_view name) const {
    for (const auto& h : headers) {
      if (equalsIgnoreCase(h.name, name)) return true;
    }
    return false;
  }
};

class RawClient {
 public:
  explicit RawClient(std::uint16_t port,
                     std::chrono::milliseconds timeout = std::chrono::seconds(10))
      : socket_(Poco::Net::SocketAddress("127.0.0.1", port)) {
    socket_.setReceiveTimeout(Poco::Timespan(timeout.count() * 1000));
    socket_.setNoDelay(true);
  }

  void send(std::string_view bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
      sent += static_cast<std::size_t>(
          socket_.sendBytes(bytes.data() + sent, static_cast<int>(bytes.size() - sent)));
    }
  }

  // One response; a response to HEAD has no body whatever its Content-Length says. Empty when
  // the server closed the connection before a whole response came.
  std::optional<RawResponse> read(bool head = false) {
    std::size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!fill()) return std::nullopt;
    }
    RawResponse response;
    std::string_view block(buffer_.data(), end);
    std::size_t line_end = block.find("\r\n");
    const std::string_view status_line = block.substr(0, line_end);
    response.status = std::stoi(std::string(status_line.substr(9, 3)));
    response.reason = std::string(status_line.size() > 13 ? status_line.substr(13) : "");
    while (line_end != std::string_view::npos) {
      const std::size_t start = line_end + 2;
      line_end = block.find("\r\n", start);
      const std::string_view line = block.substr(start, line_end - start);
      const std::size_t colon = line.find(':');
      response.headers.push_back(
          {std::string(line.substr(0, colon)), std::string(line.substr(colon + 2))});
    }
    buffer_.erase(0, end + 4);
    const bool bodyless =
        head || response.status < 200 || response.status == 204 || response.status == 304;
    if (!bodyless) {
      const std::size_t length = std::stoul("0" + response.header("Content-Length"));
      while (buffer_.size() < length) {
        if (!fill()) return std::nullopt;
      }
      response.body = buffer_.substr(0, length);
      buffer_.erase(0, length);
    }
    return response;
  }

  // True when the server closes the connection (EOF or reset) with nothing more to read.
  bool closedByServer() {
    try {
      char byte;
      return buffer_.empty() && socket_.receiveBytes(&byte, 1) == 0;
    } catch (const Poco::Net::ConnectionResetException&) {
      return true;
    }
  }

  void shutdownSend() { socket_.shutdownSend(); }
  Poco::Net::StreamSocket& socket() { return socket_; }

 private:
  bool fill() {
    char chunk[16 * 1024];
    try {
      const int n = socket_.receiveBytes(chunk, sizeof chunk);
      if (n <= 0) return false;
      buffer_.append(chunk, static_cast<std::size_t>(n));
      return true;
    } catch (const Poco::Net::ConnectionResetException&) {
      return false;
    }
  }

  Poco::Net::StreamSocket socket_;
  std::string buffer_;
};

// Records what the server logs while it lives.
class LogCapture {
 public:
  LogCapture() : logger_(Poco::Logger::get("keyhop.server")), previous_(logger_.getChannel()) {
    logger_.setChannel(channel_);
  }
  ~LogCapture() { logger_.setChannel(previous_); }

  std::vector<std::string> messages() const { return channel_->messages(); }

 private:
  using Recorder = keyhop::test::LogRecorder;

  Poco::Logger& logger_;
  Poco::AutoPtr<Poco::Channel> previous_;
  Poco::AutoPtr<Recorder> channel_{new Recorder};
};

// One request on a fresh connection.
inline std::optional<RawResponse> exchange(std::uint16_t port, const std::string& request,
                                           bool head = false) {
  RawClient client(port);
  client.send(request);
  return client.read(head);
}

inline std::string get(const std::string& target, const std::string& extra_headers = "") {
  return "GET " + target + " HTTP/1.1\r\nHost: t\r\n" + extra_headers + "\r\n";
}

inline std::string post(const std::string& target, const std::string& body,
                        const std::string& extra_headers = "") {
  return "POST " + target +
         " HTTP/1.1\r\nHost: t\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
         extra_headers + "\r\n" + body;
}

}  // namespace keyhop::server::testing
