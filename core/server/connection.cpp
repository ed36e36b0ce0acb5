#include "core/server/connection.hpp"

#include <Poco/Exception.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/server/server_reactor.hpp"

namespace keyhop::server {
namespace {

constexpr std::size_t kReadSpace = 8 * 1024;  // free space offered to each recv
// While a request is with its handler the next bytes are only buffered, up to this much more
// than a header may take; then reading pauses until the response is out.
constexpr std::size_t kExtraBuffered = 64 * 1024;
// After an error response the client may still be sending: keep reading (and discarding) for
// a while before closing, or the kernel answers the unread bytes with a reset that can destroy
// the response before the client reads it.
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr std::size_t kMaxLingerBytes = 1 << 20;
constexpr const char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
// A streamed response's producer is asked to wait once the client has this much unread.
constexpr std::size_t kStreamHighWater = 256 * 1024;

Response internalError() {
  return Response::error(500, "internal_error", "the server failed to handle the request");
}

// The current exception's text, for the log only: it may hold a secret, so it never goes into
// a response.
std::string currentExceptionText() {
  try {
    throw;
  } catch (const Poco::Exception& e) {
    return e.displayText();
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown exception";
  }
}

void logHandlerFailure(Poco::Logger& log, const Route& route) {
  log.error("handler of %s %s threw: %s", route.method, route.pattern, currentExceptionText());
}

}  // namespace

class Connection::Stream final : public ResponseStream {
 public:
  explicit Stream(Connection& connection) : connection_(connection) {}

  ReactorService* service() override { return connection_.reactor_.service(); }

  void sendHead(int status, std::string_view reason, const flows::HeaderViews& headers,
                std::optional<std::uint64_t> content_length, bool has_body) override {
    if (done_ || head_sent_) return;
    head_sent_ = true;
    connection_.streamHead(status, reason, headers, content_length, has_body);
  }
  bool sendBody(std::string_view bytes) override {
    if (done_ || !head_sent_) return true;
    return connection_.streamBody(bytes);
  }
  void end() override {
    if (done_ || !head_sent_) return;
    done_ = true;
    connection_.streamEnd();
  }
  void fail(Response response) override {
    if (done_) return;
    done_ = true;
    connection_.streamFail(std::move(response));
  }
  void offload(std::function<std::function<void()>()> work) override {
    connection_.context_.workers.submit([work = std::move(work),
                                         mailbox = connection_.reactor_.mailbox(),
                                         log = &connection_.context_.log] {
      std::function<void()> then;
      try {
        then = work();
      } catch (...) {
        log->error("offloaded work of a streamed response failed: %s", currentExceptionText());
      }
      if (then) mailbox->post(std::move(then));
    });
  }
  void listen(std::weak_ptr<StreamListener> listener) override { listener_ = std::move(listener); }

  bool headSent() const { return head_sent_; }
  void drained() {
    if (done_) return;
    if (const auto listener = listener_.lock()) listener->streamDrained();
  }
  // The connection closed under the stream: the producer hears it once, then nothing more.
  void closed() {
    if (done_) return;
    done_ = true;
    if (const auto listener = listener_.lock()) listener->streamClosed();
  }

 private:
  Connection& connection_;
  bool head_sent_ = false;
  bool done_ = false;
  std::weak_ptr<StreamListener> listener_;
};

// The streamed body of the request in flight, handed to its handler as it arrives. The
// connection lets go of it (finish) when the body ends, fails, or the connection closes; the
// handler may hold it longer.
class Connection::BodyPipe final : public RequestBody {
 public:
  BodyPipe(Connection& connection, std::optional<std::uint64_t> length)
      : connection_(&connection), length_(length) {}

  std::optional<std::uint64_t> length() const override { return length_; }
  void read(OnData on_data, OnEnd on_end) override {
    if (started_) return;
    started_ = true;
    on_data_ = std::move(on_data);
    on_end_ = std::move(on_end);
    if (finished_) {
      deliverEnd();
    } else if (connection_) {
      connection_->bodyWanted();
    }
  }
  void resume() override {
    if (!paused_) return;
    paused_ = false;
    if (connection_) connection_->bodyWanted();
  }

  bool flowing() const { return started_ && !paused_ && !finished_; }
  void deliver(std::string_view piece) {
    if (!on_data_(piece)) paused_ = true;
  }
  void finish(std::string failure) {
    if (finished_) return;
    finished_ = true;
    connection_ = nullptr;
    failure_ = std::move(failure);
    if (started_) deliverEnd();
  }
  // The connection is destroyed without closing (the server stops): no more calls either way.
  void detach() {
    connection_ = nullptr;
    finished_ = true;
    on_data_ = nullptr;
    on_end_ = nullptr;
  }

 private:
  void deliverEnd() {
    const OnEnd on_end = std::move(on_end_);
    on_data_ = nullptr;  // the handler's state it holds goes now, not with the pipe
    if (on_end) on_end(failure_);
  }

  Connection* connection_;
  std::optional<std::uint64_t> length_;
  OnData on_data_;
  OnEnd on_end_;
  bool started_ = false;
  bool paused_ = false;
  bool finished_ = false;
  std::string failure_;
};

Connection::Connection(ServerReactor& reactor, const ServerContext& context,
                       Poco::Net::StreamSocket socket, std::string remote_address, std::uint64_t id)
    : reactor_(reactor),
      context_(context),
      socket_(std::move(socket)),
      fd_(socket_.impl()->sockfd()),
      remote_address_(std::move(remote_address)),
      id_(id),
      parser_(context.max_header_bytes, context.max_body_bytes),
      last_activity_(Clock::now()) {}

Connection::~Connection() {
  if (body_pipe_) body_pipe_->detach();
}

void Connection::start() {
  const int on = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  in_.resize(kReadSpace);
  updateInterest();
}

void Connection::onReady(unsigned ready) {
  guarded([&] {
    if (ready & net::kReadable) readable();
    if (closed_) return;
    // Reset or hung up both ways: nothing more can be read or sent (level-triggered, so it
    // must not be left for the next turn).
    if (ready & net::kFailed) {
      close();
      return;
    }
    if (ready & net::kWritable) {
      flush();
      updateInterest();
    }
  });
}

template <typename Step>
void Connection::guarded(Step step) {
  if (closed_) return;
  try {
    step();
  } catch (...) {
    // Handlers' exceptions are caught where they run; this is the server's own failure (out of
    // memory, a Poco error): the connection's state is unknown, so it goes.
    context_.log.error("connection from %s failed: %s", remote_address_, currentExceptionText());
    close();
  }
}

void Connection::readable() {
  if (!readInto()) {
    close();
    return;
  }
  if (lingering_) {
    lingered_bytes_ += buffered();
    in_begin_ = in_end_ = 0;
    if (peer_closed_ || lingered_bytes_ > kMaxLingerBytes) close();
    return;
  }
  if (body_pipe_) {
    pumpBody();
  } else if (!handling_ && !response_pending_) {
    processInput();
  }
  if (closed_) return;
  if (peer_closed_ && !handling_ && !response_pending_) {
    close();  // the client left; a partial request dies with it
    return;
  }
  updateInterest();
}

bool Connection::readInto() {
  if (in_.size() - in_end_ < kReadSpace) {
    if (in_begin_ > 0) {
      std::memmove(in_.data(), in_.data() + in_begin_, buffered());
      in_end_ -= in_begin_;
      in_begin_ = 0;
    }
    if (in_.size() - in_end_ < kReadSpace) in_.resize(in_end_ + kReadSpace);
  }
  const ssize_t n = ::recv(fd_, in_.data() + in_end_, in_.size() - in_end_, 0);
  if (n > 0) {
    in_end_ += static_cast<std::size_t>(n);
    last_activity_ = reactor_.loop().now();
    return true;
  }
  if (n == 0) {
    peer_closed_ = true;
    return true;
  }
  return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
}

void Connection::processInput() {
  if (in_process_input_) return;  // a response sent inline below: the loop goes on by itself
  in_process_input_ = true;
  while (!closed_ && !lingering_ && !handling_ && !response_pending_ && !body_pipe_ &&
         buffered() > 0) {
    in_begin_ += parser_.feed(in_.data() + in_begin_, buffered());
    if (parser_.bodyOverBuffer()) {
      if (!takesStreamedBody()) parser_.refuseBody();
    }
    if (parser_.failed()) {
      failRequest(parser_.failure());
      break;
    }
    if (parser_.bodyOverBuffer()) {
      startStreamedRequest();
      continue;  // its handler may have answered at once
    }
    if (!parser_.done()) {
      if (parser_.headerDone() && !continue_sent_ && parser_.expectsContinue()) {
        continue_sent_ = true;
        out_head_ += kContinue;
        flush();
      } else if (buffered() >= context_.max_header_bytes + kExtraBuffered) {
        failRequest({400, "bad_request", "malformed HTTP request"});  // no progress possible
      }
      break;
    }
    beginRequest();
    continue_sent_ = false;
    handle(parser_.take());
  }
  if (buffered() == 0) in_begin_ = in_end_ = 0;
  in_process_input_ = false;
}

void Connection::beginRequest() {
  keep_alive_ = parser_.keepAlive() && !reactor_.draining();
  http10_ = parser_.version() < 11;
  http10_keep_alive_ = keep_alive_ && http10_;
}

bool Connection::takesStreamedBody() const {
  const RouteMatch match = context_.router.match(parser_.method(), parser_.path());
  return match.outcome == RouteMatch::Outcome::Found && match.route->body == BodyMode::Streamed;
}

// The handler gets the request now, its body as it arrives (pumpBody).
void Connection::startStreamedRequest() {
  parser_.streamBody();
  beginRequest();
  Request request = parser_.takeHead();
  body_pipe_ = std::make_shared<BodyPipe>(*this, parser_.contentLength());
  request.body_stream = body_pipe_;
  handle(std::move(request));
}

// The handler reads (or reads on): an interim 100 first when the client waits for one.
void Connection::bodyWanted() {
  guarded([this] {
    if (!body_pipe_) return;
    if (!continue_sent_ && !response_pending_ && parser_.expectsContinue()) {
      continue_sent_ = true;
      dropSentOutput();
      out_head_ += kContinue;
      flush();
      if (closed_) return;
    }
    pumpBody();
    if (!closed_) updateInterest();
  });
}

void Connection::pumpBody() {
  if (pumping_body_) return;  // a piece delivered below asked for more: the loop goes on
  pumping_body_ = true;
  while (!closed_ && body_pipe_ && body_pipe_->flowing()) {
    const std::shared_ptr<BodyPipe> pipe = body_pipe_;  // the handler may let go of it below
    const std::size_t used = parser_.feed(in_.data() + in_begin_, buffered());
    in_begin_ += used;
    if (parser_.failed()) {
      endBody("the request body is malformed");
      break;
    }
    const std::string piece = parser_.takeBody();
    if (!piece.empty()) pipe->deliver(piece);
    if (closed_ || body_pipe_ != pipe) break;
    if (parser_.done()) {
      endBody({});
      break;
    }
    if (used == 0 && piece.empty()) {
      if (peer_closed_) endBody("the client closed the connection before the whole body arrived");
      break;
    }
  }
  if (buffered() == 0) in_begin_ = in_end_ = 0;
  pumping_body_ = false;
}

void Connection::endBody(std::string failure) {
  const std::shared_ptr<BodyPipe> pipe = std::move(body_pipe_);
  if (failure.empty()) {
    parser_.reset();  // ready for a pipelined next request, once the answer is out
    continue_sent_ = false;
  } else {
    keep_alive_ = false;  // the rest of the input cannot be parsed
  }
  pipe->finish(std::move(failure));
}

void Connection::handle(Request&& request) {
  handling_ = true;
  head_ = request.method == "HEAD";
  request.remote_address = remote_address_;
  RouteMatch match = context_.router.match(request.method, request.path);
  switch (match.outcome) {
    case RouteMatch::Outcome::NotFound:
      respond(Response::error(404, "not_found", "no route matches this path"));
      return;
    case RouteMatch::Outcome::MethodNotAllowed: {
      Response response =
          Response::error(405, "method_not_allowed", "this path does not accept " + request.method);
      response.headers.push_back({"Allow", std::move(match.allow)});
      respond(std::move(response));
      return;
    }
    case RouteMatch::Outcome::Found:
      request.params = std::move(match.params);
      dispatch(std::move(request), *match.route);
      return;
  }
}

void Connection::dispatch(Request&& request, const Route& route) {
  Poco::Logger* log = &context_.log;
  const auto* sync = std::get_if<SyncHandler>(&route.handler);
  const auto* async = std::get_if<AsyncHandler>(&route.handler);

  if (std::holds_alternative<StreamHandler>(route.handler)) {
    startStream(std::move(request), route);
    return;
  }
  if (route.run_on == RunOn::Reactor && sync) {
    Response response;
    try {
      response = (*sync)(request);
    } catch (...) {
      logHandlerFailure(*log, route);
      response = internalError();
    }
    respond(std::move(response));
    return;
  }

  if (route.run_on == RunOn::Reactor) {
    in_handler_call_ = true;
    {
      Responder responder = makeResponder();
      try {
        (*async)(std::move(request), responder);
      } catch (...) {
        logHandlerFailure(*log, route);
        responder(internalError());
      }
    }  // a responder dropped unanswered answers here, so before the flag goes down
    in_handler_call_ = false;
    if (answered_inline_) {
      Response response = std::move(*answered_inline_);
      answered_inline_.reset();
      respond(std::move(response));
    }
    return;
  }

  // The route table outlives the server, and the server joins its workers before it goes.
  const Route* on = &route;
  if (sync) {
    context_.workers.submit(
        [on, sync, log, request = std::move(request), responder = makeResponder()] {
          Response response;
          try {
            response = (*sync)(request);
          } catch (...) {
            logHandlerFailure(*log, *on);
            response = internalError();
          }
          responder(std::move(response));
        });
  } else {
    context_.workers.submit(
        [on, async, log, request = std::move(request), responder = makeResponder()]() mutable {
          try {
            (*async)(std::move(request), responder);
          } catch (...) {
            logHandlerFailure(*log, *on);
            responder(internalError());
          }
        });
  }
}

Responder Connection::makeResponder() {
  return Responder(
      [mailbox = reactor_.mailbox(), reactor = &reactor_, id = id_](Response&& response) {
        if (mailbox->isOwnerThread()) {
          reactor->complete(id, std::move(response));
          return;
        }
        // Runs only on the reactor's thread, which the mailbox refuses to post to once stopping.
        mailbox->post([reactor, id, response = std::move(response)]() mutable {
          reactor->complete(id, std::move(response));
        });
      });
}

void Connection::complete(Response&& response) {
  if (closed_ || !handling_) return;
  if (in_handler_call_) {
    answered_inline_ = std::move(response);
    return;
  }
  guarded([&] {
    respond(std::move(response));
    updateInterest();
  });
}

void Connection::startStream(Request&& request, const Route& route) {
  stream_ = std::make_unique<Stream>(*this);
  Stream* stream = stream_.get();
  guarded([&] {
    try {
      std::get<StreamHandler>(route.handler)(std::move(request), *stream);
    } catch (...) {
      logHandlerFailure(context_.log, route);
      if (stream->headSent()) {
        close();
      } else {
        stream->fail(internalError());
      }
      return;
    }
    updateInterest();
  });
}

void Connection::streamHead(int status, std::string_view reason, const flows::HeaderViews& headers,
                            std::optional<std::uint64_t> content_length, bool has_body) {
  handling_ = false;
  stream_body_ = has_body && !head_ && status != 204 && status != 304;
  using Kind = BodyFraming::Kind;
  BodyFraming framing;
  if (!stream_body_) {
    framing.kind = Kind::None;
    framing.announce_length = content_length.has_value() && status != 204 && status != 304;
    framing.length = content_length.value_or(0);
  } else if (content_length) {
    framing.length = *content_length;
  } else {
    framing.kind = http10_ ? Kind::UntilClose : Kind::Chunked;
  }
  stream_chunked_ = framing.kind == Kind::Chunked;
  // An answer before the whole streamed body: what is left of it is not read, the connection
  // ends with this answer.
  const bool close = !keep_alive_ || peer_closed_ || reactor_.draining() || body_pipe_ ||
                     framing.kind == Kind::UntilClose;
  const ConnectionToken token = close                ? ConnectionToken::Close
                                : http10_keep_alive_ ? ConnectionToken::KeepAlive
                                                     : ConnectionToken::None;
  appendHead(out_head_, status, reason, headers, framing, token);
  streaming_ = true;
  stream_ended_ = false;
  stream_paused_ = false;
  response_pending_ = true;
  close_after_response_ = close;
  // Not flushed yet: the first body bytes (or the end) usually follow at once and leave with
  // the head in one write.
}

bool Connection::streamBody(std::string_view bytes) {
  if (closed_ || !stream_body_ || bytes.empty()) return true;
  dropSentOutput();
  if (stream_chunked_) {
    char size[24];
    const int length = std::snprintf(size, sizeof size, "%zx\r\n", bytes.size());
    out_body_.append(size, static_cast<std::size_t>(length));
    out_body_.append(bytes.data(), bytes.size());
    out_body_ += "\r\n";
  } else {
    out_body_.append(bytes.data(), bytes.size());
  }
  flush();
  if (closed_) return true;
  updateInterest();
  if (unsent() < kStreamHighWater) return true;
  stream_paused_ = true;
  return false;
}

void Connection::streamEnd() {
  if (closed_) return;
  if (stream_chunked_) {
    dropSentOutput();
    out_body_ += "0\r\n\r\n";
  }
  stream_ended_ = true;
  flush();
  if (!closed_) updateInterest();
}

void Connection::streamFail(Response&& response) {
  if (closed_) return;
  if (streaming_) {
    close();  // the head is out: a truncated answer, never a wrong one
    return;
  }
  respond(std::move(response));
  updateInterest();
}

// What has been sent is dropped from the front of the output, so a long stream's buffer holds
// only what the client has not read yet.
void Connection::dropSentOutput() {
  if (out_sent_ == 0) return;
  if (out_sent_ >= out_head_.size()) {
    out_body_.erase(0, out_sent_ - out_head_.size());
    out_head_.clear();
  } else {
    out_head_.erase(0, out_sent_);
  }
  out_sent_ = 0;
}

void Connection::respond(Response&& response) {
  handling_ = false;
  if (response.status < 200 || response.status > 599) {
    context_.log.error("a handler answered with status %d; sent 500 instead", response.status);
    response = internalError();
  }
  const bool close =
      !keep_alive_ || peer_closed_ || reactor_.draining() || body_pipe_ || asksToClose(response);
  const ConnectionToken token = close                ? ConnectionToken::Close
                                : http10_keep_alive_ ? ConnectionToken::KeepAlive
                                                     : ConnectionToken::None;
  appendResponseHead(out_head_, response, token);
  if (!head_ && response.status != 204 && response.status != 304) {
    out_body_ = std::move(response.body);
  }
  response_pending_ = true;
  close_after_response_ = close;
  flush();
}

void Connection::flush() {
  while (out_sent_ < out_head_.size() + out_body_.size()) {
    iovec parts[2];
    std::size_t count = 0;
    if (out_sent_ < out_head_.size()) {
      parts[count++] = {out_head_.data() + out_sent_, out_head_.size() - out_sent_};
      if (!out_body_.empty()) parts[count++] = {out_body_.data(), out_body_.size()};
    } else {
      const std::size_t offset = out_sent_ - out_head_.size();
      parts[count++] = {out_body_.data() + offset, out_body_.size() - offset};
    }
    msghdr message{};
    message.msg_iov = parts;
    message.msg_iovlen = count;
    const ssize_t n = ::sendmsg(fd_, &message, MSG_NOSIGNAL);
    if (n > 0) {
      out_sent_ += static_cast<std::size_t>(n);
      last_activity_ = reactor_.loop().now();
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return;  // onWritable goes on
    } else {
      close();
      return;
    }
  }
  out_head_.clear();
  out_body_ = std::string();  // a large body's buffer is not kept for the connection's life
  out_sent_ = 0;
  if (streaming_ && !stream_ended_) {
    if (stream_paused_) {
      stream_paused_ = false;
      stream_->drained();
    }
    return;
  }
  streaming_ = false;
  if (response_pending_) {
    response_pending_ = false;
    responseSent();
  }
}

void Connection::responseSent() {
  if (close_after_response_) {
    if (peer_closed_ || (buffered() == 0 && !parser_.failed() && !body_pipe_)) {
      close();
    } else {
      linger();
    }
    return;
  }
  processInput();  // a pipelined request may be waiting
}

void Connection::failRequest(const ParseFailure& failure) {
  handling_ = true;
  keep_alive_ = false;
  head_ = false;
  respond(Response::error(failure.status, failure.code, failure.message));
}

void Connection::linger() {
  if (body_pipe_) endBody("the answer went out before the whole body arrived");
  lingering_ = true;
  in_begin_ = in_end_ = 0;
  linger_deadline_ = reactor_.loop().now() + kLingerTime;
  ::shutdown(fd_, SHUT_WR);
}

void Connection::drain() {
  if (closed_) return;
  if (!handling_ && !response_pending_) {
    close();
    return;
  }
  keep_alive_ = false;
}

void Connection::checkTimeouts(Clock::time_point now) {
  if (closed_) return;
  if (lingering_) {
    if (now >= linger_deadline_) close();
    return;
  }
  if (handling_) return;  // a handler's time is its own
  // A streamed response waiting for its producer is the producer's to time out; one the client
  // does not read is the connection's.
  if (streaming_ && unsent() == 0) return;
  if (now - last_activity_ >= context_.idle_timeout) close();
}

void Connection::close() {
  if (closed_) return;
  closed_ = true;
  reactor_.loop().unwatch(fd_);
  reading_ = writing_ = false;
  socket_.close();
  reactor_.release(id_);
  if (stream_) stream_->closed();
  if (body_pipe_) endBody("the client connection closed before the whole body arrived");
}

void Connection::updateInterest() {
  if (closed_) return;
  const bool want_write = out_sent_ < out_head_.size() + out_body_.size();
  const bool want_read =
      !peer_closed_ && (lingering_ || buffered() < context_.max_header_bytes + kExtraBuffered);
  setInterest(want_read, want_write);
}

void Connection::setInterest(bool read, bool write) {
  if (read == reading_ && write == writing_) return;
  reactor_.loop().watch(fd_, *this, read, write);
  reading_ = read;
  writing_ = write;
}

}  // namespace keyhop::server
