#pragma once

// Internal to the server. One client connection on one reactor thread: reads and parses
// requests, runs or dispatches their handlers, writes responses in request order (pipelined
// requests wait for the one before), keeps the connection alive or closes it. Every method runs
// on the owning reactor's thread.

#include <Poco/Net/StreamSocket.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/net/event_loop.hpp"
#include "core/server/http_message.hpp"
#include "core/server/request_parser.hpp"
#include "core/server/response_head.hpp"
#include "core/server/response_stream.hpp"
#include "core/server/router.hpp"
#include "core/server/server_context.hpp"

namespace keyhop::server {

class ServerReactor;

class Connection final : private net::EventHandler {
 public:
  using Clock = std::chrono::steady_clock;

  // `reactor` owns this connection; `context` outlives both.
  Connection(ServerReactor& reactor, const ServerContext& context, Poco::Net::StreamSocket socket,
             std::string remote_address, std::uint64_t id);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void start();
  // The answer to the request in flight.
  void complete(Response&& response);
  // The server is stopping: close now if idle, else after the current response.
  void drain();
  // Closes idle, stalled or lingering connections whose time is up.
  void checkTimeouts(Clock::time_point now);
  // Closes the socket at once and hands this object back to the reactor.
  void close();

 private:
  void onReady(unsigned ready) override;
  // Runs `step` unless closed; an exception from it closes the connection.
  template <typename Step>
  void guarded(Step step);
  void readable();

  void processInput();
  void beginRequest();
  // The route of the request whose header is parsed takes a body too large to buffer.
  bool takesStreamedBody() const;
  void startStreamedRequest();
  void handle(Request&& request);
  void dispatch(Request&& request, const Route& route);
  Responder makeResponder();
  // A StreamHandler's request: it gets the stream to answer through.
  void startStream(Request&& request, const Route& route);
  void respond(Response&& response);
  void flush();
  void responseSent();
  void failRequest(const ParseFailure& failure);
  void linger();
  void updateInterest();
  void setInterest(bool read, bool write);

  // The streamed response (response_stream.hpp); Stream forwards here.
  class Stream;
  friend class Stream;
  void streamHead(int status, std::string_view reason, const flows::HeaderViews& headers,
                  std::optional<std::uint64_t> content_length, bool has_body);
  bool streamBody(std::string_view bytes);
  void streamEnd();
  void streamFail(Response&& response);
  std::size_t unsent() const { return out_head_.size() + out_body_.size() - out_sent_; }
  void dropSentOutput();

  // The body of a streamed request (request_body.hpp); BodyPipe forwards here.
  class BodyPipe;
  friend class BodyPipe;
  void bodyWanted();
  void pumpBody();
  // The streamed body is complete (`failure` empty) or never will be.
  void endBody(std::string failure);

  bool readInto();  // false when the connection must close
  std::size_t buffered() const { return in_end_ - in_begin_; }

  ServerReactor& reactor_;
  const ServerContext& context_;
  Poco::Net::StreamSocket socket_;
  int fd_;
  std::string remote_address_;
  std::uint64_t id_;
  bool reading_ = false;  // watched for readability
  bool writing_ = false;  // watched for writability

  std::vector<char> in_;  // bytes received, [in_begin_, in_end_) not yet parsed
  std::size_t in_begin_ = 0;
  std::size_t in_end_ = 0;
  RequestParser parser_;
  bool continue_sent_ = false;
  std::shared_ptr<BodyPipe> body_pipe_;  // while a streamed request body is being read
  bool pumping_body_ = false;

  bool keep_alive_ = true;
  bool http10_keep_alive_ = false;           // an HTTP/1.0 client asked for keep-alive
  bool http10_ = false;                      // the request in flight is HTTP/1.0
  bool head_ = false;                        // the request in flight is a HEAD
  bool handling_ = false;                    // a request is with its handler
  bool in_handler_call_ = false;             // a Reactor handler is on the stack
  std::optional<Response> answered_inline_;  // its answer, sent once it returns
  bool in_process_input_ = false;

  std::string out_head_;  // bytes to send: interim 100s and a response head...
  std::string out_body_;  // ...then that response's body
  std::size_t out_sent_ = 0;
  bool response_pending_ = false;  // a response is queued but not all sent
  bool close_after_response_ = false;

  // A streamed response: replaced by the next one, never destroyed while one of its calls may
  // be on the stack.
  std::unique_ptr<Stream> stream_;
  bool streaming_ = false;  // its head is queued and its end not yet sent
  bool stream_chunked_ = false;
  bool stream_body_ = true;     // body bytes are sent (not for HEAD, 204, 304)
  bool stream_ended_ = false;   // end() was called
  bool stream_paused_ = false;  // sendBody said "wait": streamDrained is owed

  bool peer_closed_ = false;
  bool lingering_ = false;
  std::size_t lingered_bytes_ = 0;
  bool closed_ = false;
  Clock::time_point last_activity_;
  Clock::time_point linger_deadline_;
};

}  // namespace keyhop::server
