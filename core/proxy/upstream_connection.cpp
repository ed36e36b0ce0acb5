#include "core/proxy/upstream_connection.hpp"

#include <Poco/Net/StreamSocketImpl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstring>

namespace keyhop::proxy {
namespace {

constexpr std::size_t kReadSpace = 64 * 1024;  // free space offered to each read
// Largest answer head accepted (many Set-Cookie lines fit; a runaway head does not).
constexpr std::size_t kMaxHeadBytes = 64 * 1024;
// Reads per readiness event while the observer keeps up: then other sockets get their turn.
constexpr int kReadRounds = 4;

std::string connectFailure(int error) {
  switch (error) {
    case ECONNREFUSED:
      return "connection refused";
    case ENETUNREACH:
    case EHOSTUNREACH:
      return "no route to the host";
    case ETIMEDOUT:
      return "connecting timed out";
    default:
      return std::string("cannot connect (") + std::strerror(error) + ")";
  }
}

UpstreamFailureKind connectFailureKind(int error) {
  return error == ETIMEDOUT ? UpstreamFailureKind::Timeout : UpstreamFailureKind::Unreachable;
}

}  // namespace

// Hands the parsed answer to the exchange, which it keeps alive while the observer runs (a
// cancel from inside a callback lets the connection drop it).
class UpstreamConnection::Sink final : public ResponseSink {
 public:
  explicit Sink(std::shared_ptr<Exchange> exchange) : exchange_(std::move(exchange)) {}
  bool onResponseHead(const UpstreamHeadView& head) override {
    return exchange_->deliverHead(head);
  }
  bool onResponseBody(std::string_view bytes) override { return exchange_->deliverBody(bytes); }

 private:
  std::shared_ptr<Exchange> exchange_;
};

UpstreamConnection::UpstreamConnection(ConnectionContext& context,
                                       std::shared_ptr<const UpstreamOrigin> origin)
    : context_(context), origin_(std::move(origin)), reader_(kMaxHeadBytes) {}

UpstreamConnection::~UpstreamConnection() { closeSocket(); }

bool UpstreamConnection::connect(const Poco::Net::SocketAddress& address,
                                 std::shared_ptr<Exchange> exchange, std::string& error) {
  const int fd = ::socket(address.af(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    error = std::string("cannot create a socket (") + std::strerror(errno) + ")";
    return false;
  }
  socket_ = Poco::Net::StreamSocket(new Poco::Net::StreamSocketImpl(fd));
  fd_ = fd;
  const int on = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  if (::connect(fd_, address.addr(), address.length()) != 0 && errno != EINPROGRESS) {
    error = connectFailure(errno);
    socket_.close();
    return false;
  }
  exchange_ = std::move(exchange);
  exchange_->connection = weak_from_this();
  in_.resize(kReadSpace);
  phase_ = Phase::Connecting;
  started_ = context_.loop.now();
  updateInterest();
  return true;
}

void UpstreamConnection::begin(std::shared_ptr<Exchange> exchange) {
  exchange_ = std::move(exchange);
  exchange_->connection = weak_from_this();
  ready();
  updateInterest();
}

void UpstreamConnection::ready() {
  phase_ = Phase::Busy;
  paused_ = eof_ = read_failed_ = output_broken_ = false;
  read_wants_write_ = write_wants_read_ = false;
  out_sent_ = 0;
  last_progress_ = context_.loop.now();
  reader_.start(exchange_->headRequest());
  flush();
}

void UpstreamConnection::resume(const Exchange& exchange) {
  if (phase_ != Phase::Busy || exchange_.get() != &exchange) return;
  if (!paused_) {
    resumed_early_ = true;
    return;
  }
  paused_ = false;
  last_progress_ = context_.loop.now();
  context_.tasks.defer([weak = weak_from_this()] {
    if (const auto self = weak.lock()) self->guarded([&] { self->resumed(); });
  });
}

void UpstreamConnection::resumed() {
  if (phase_ != Phase::Busy || paused_) return;
  pump();  // what was read before the pause
  receive();
  updateInterest();
}

void UpstreamConnection::sendQueued(const Exchange& exchange) {
  if (phase_ != Phase::Busy || exchange_.get() != &exchange) return;
  guarded([&] {
    flush();
    updateInterest();
  });
}

void UpstreamConnection::abort(const Exchange& exchange) {
  if (phase_ == Phase::Closed || exchange_.get() != &exchange) return;
  exchange_.reset();
  closeAndReport();
}

void UpstreamConnection::shutdown() {
  if (exchange_) exchange_->abandon();
  exchange_.reset();
  closeSocket();
}

void UpstreamConnection::checkTimeouts(Clock::time_point now) {
  const auto& options = context_.options;
  switch (phase_) {
    case Phase::Connecting:
    case Phase::Handshaking:
      if (now - started_ >= options.connect_timeout) {
        guarded([&] { fail(UpstreamFailureKind::Timeout, "connecting timed out", false); });
      }
      return;
    case Phase::Busy:
      if (!paused_ && now - last_progress_ >= options.read_timeout) {
        guarded([&] {
          fail(UpstreamFailureKind::Timeout,
               reader_.headDelivered() ? "the answer stalled" : "no answer in time", false);
        });
      }
      return;
    case Phase::Idle:
      if (now - idle_since_ >= options.idle_timeout) guarded([&] { closeAndReport(); });
      return;
    case Phase::Closed:
      return;
  }
}

void UpstreamConnection::onReady(unsigned ready) {
  const auto self = shared_from_this();  // the pool may let go of it on the way
  if (ready & net::kReadable) guarded([this] { readable(); });
  if (ready & net::kWritable) guarded([this] { writable(); });
  // A reset while only writability (or nothing) is watched reports neither of the others; it
  // is heard here, or epoll would report it again on every turn.
  if (ready & net::kFailed) guarded([this] { errorRaised(); });
}

// Every entry from the reactor or a deferred task comes through here: the connection stays
// alive while it runs, even when the pool lets go of it on the way.
template <typename Step>
void UpstreamConnection::guarded(Step step) {
  if (phase_ == Phase::Closed) return;
  const auto self = shared_from_this();
  try {
    step();
  } catch (...) {
    // Poco or an observer threw: the connection's state is unknown, so it goes.
    fail(UpstreamFailureKind::Protocol, "the connection failed", false);
  }
}

void UpstreamConnection::readable() {
  switch (phase_) {
    case Phase::Connecting:
      connected();
      break;
    case Phase::Handshaking:
      handshake();
      break;
    case Phase::Busy:
      if (write_wants_read_) {
        write_wants_read_ = false;
        flush();
      }
      receive();
      break;
    case Phase::Idle:
      probeIdle();
      break;
    case Phase::Closed:
      return;
  }
  updateInterest();
}

void UpstreamConnection::writable() {
  switch (phase_) {
    case Phase::Connecting:
      connected();
      break;
    case Phase::Handshaking:
      handshake();
      break;
    case Phase::Busy:
      if (read_wants_write_) {
        read_wants_write_ = false;
        receive();
      }
      if (phase_ == Phase::Busy) flush();
      break;
    case Phase::Idle:
    case Phase::Closed:
      return;
  }
  updateInterest();
}

void UpstreamConnection::errorRaised() {
  if (phase_ == Phase::Busy && paused_) {
    // Not reading (the observer is behind), yet the socket is dead: the rest will not come.
    fail(UpstreamFailureKind::Protocol, "the connection broke off mid-answer", false);
    return;
  }
  readable();  // the read (or connect, or handshake) step meets the error and acts on it
}

void UpstreamConnection::connected() {
  int error = 0;
  socklen_t length = sizeof error;
  if (::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &length) != 0) error = errno;
  if (error != 0) {
    fail(connectFailureKind(error), connectFailure(error), false);
    return;
  }
  if (!origin_->tls) {
    ready();
    return;
  }
  tls_ = std::make_unique<TlsStream>(context_.tls, fd_, origin_->host, origin_->url);
  phase_ = Phase::Handshaking;
  handshake();
}

void UpstreamConnection::handshake() {
  handshake_wants_write_ = false;
  switch (tls_->handshake()) {
    case TlsStream::Io::Done:
      if (tls_->resumed()) ++context_.resumed_tls_sessions;
      ready();
      return;
    case TlsStream::Io::WantRead:
      return;
    case TlsStream::Io::WantWrite:
      handshake_wants_write_ = true;
      return;
    case TlsStream::Io::Closed:
    case TlsStream::Io::Failed:
      fail(UpstreamFailureKind::Unreachable, tls_->failure(), false);
      return;
  }
}

void UpstreamConnection::flush() {
  if (!exchange_ || output_broken_) return;
  if (sendRequestBytes()) sendQueuedBody();
}

bool UpstreamConnection::sendRequestBytes() {
  const RequestBytes& bytes = exchange_->bytes();
  const std::size_t head_size = bytes.head.size();
  const std::size_t total = head_size + bytes.body.size();
  while (out_sent_ < total) {
    std::size_t sent = 0;
    if (tls_) {
      const bool in_head = out_sent_ < head_size;
      const char* data =
          in_head ? bytes.head.data() + out_sent_ : bytes.body.data() + (out_sent_ - head_size);
      const std::size_t size = in_head ? head_size - out_sent_ : total - out_sent_;
      if (!writeSome(data, size, sent)) return false;
    } else {
      iovec parts[2];
      std::size_t count = 0;
      if (out_sent_ < head_size) {
        parts[count++] = {const_cast<char*>(bytes.head.data()) + out_sent_, head_size - out_sent_};
        if (!bytes.body.empty()) {
          parts[count++] = {const_cast<char*>(bytes.body.data()), bytes.body.size()};
        }
      } else {
        const std::size_t offset = out_sent_ - head_size;
        parts[count++] = {const_cast<char*>(bytes.body.data()) + offset, total - out_sent_};
      }
      msghdr message{};
      message.msg_iov = parts;
      message.msg_iovlen = count;
      const ssize_t n = ::sendmsg(fd_, &message, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return false;
      if (n <= 0) {
        output_broken_ = true;  // the read side tells a stale connection from a broken one
        return false;
      }
      sent = static_cast<std::size_t>(n);
    }
    out_sent_ += sent;
    last_progress_ = context_.loop.now();
  }
  return true;
}

void UpstreamConnection::sendQueuedBody() {
  bool wanted = false;
  for (std::string_view queued = exchange_->queuedBody(); !queued.empty();
       queued = exchange_->queuedBody()) {
    std::size_t sent = 0;
    if (!writeSome(queued.data(), queued.size(), sent)) break;
    wanted = exchange_->queuedBodySent(sent) || wanted;
    last_progress_ = context_.loop.now();
  }
  if (!wanted) return;
  // Not from inside this call: the writer may be writing right now.
  context_.tasks.defer([weak = std::weak_ptr<Exchange>(exchange_)] {
    if (const auto exchange = weak.lock()) exchange->deliverBodyWanted();
  });
}

bool UpstreamConnection::writeSome(const char* data, std::size_t size, std::size_t& sent) {
  sent = 0;
  if (tls_) {
    switch (tls_->write(data, size, sent)) {
      case TlsStream::Io::Done:
        return true;
      case TlsStream::Io::WantRead:
        write_wants_read_ = true;
        return false;
      case TlsStream::Io::WantWrite:
        return false;
      case TlsStream::Io::Closed:
      case TlsStream::Io::Failed:
        output_broken_ = true;  // the read side tells a stale connection from a broken one
        return false;
    }
    return false;
  }
  while (true) {
    const ssize_t n = ::send(fd_, data, size, MSG_NOSIGNAL);
    if (n > 0) {
      sent = static_cast<std::size_t>(n);
      return true;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) output_broken_ = true;
    return false;
  }
}

bool UpstreamConnection::requestSent() const {
  const RequestBytes& bytes = exchange_->bytes();
  return out_sent_ == bytes.head.size() + bytes.body.size() && exchange_->bodyComplete() &&
         exchange_->queuedBody().empty();
}

void UpstreamConnection::receive() {
  for (int round = 0; phase_ == Phase::Busy && !paused_ && !eof_ && !read_failed_; ++round) {
    // OpenSSL may hold decrypted bytes the socket no longer signals: those are read regardless.
    if (round >= kReadRounds && !(tls_ && tls_->pending())) return;
    const std::size_t before = in_end_;
    const ReadEnd end = readSome();
    if (in_end_ > before) last_progress_ = context_.loop.now();
    eof_ = end == ReadEnd::Closed;
    read_failed_ = end == ReadEnd::Failed;
    pump();
    if (end != ReadEnd::Full) return;
  }
}

void UpstreamConnection::reserveReadSpace() {
  if (in_.size() - in_end_ >= kReadSpace) return;
  if (in_begin_ > 0) {
    std::memmove(in_.data(), in_.data() + in_begin_, buffered());
    in_end_ -= in_begin_;
    in_begin_ = 0;
  }
  if (in_.size() - in_end_ < kReadSpace) in_.resize(in_end_ + kReadSpace);
}

UpstreamConnection::ReadEnd UpstreamConnection::readSome() {
  reserveReadSpace();
  if (!tls_) {
    const std::size_t space = in_.size() - in_end_;
    const ssize_t n = ::recv(fd_, in_.data() + in_end_, space, 0);
    if (n > 0) {
      in_end_ += static_cast<std::size_t>(n);
      return static_cast<std::size_t>(n) == space ? ReadEnd::Full : ReadEnd::Again;
    }
    if (n == 0) return ReadEnd::Closed;
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? ReadEnd::Again
                                                                     : ReadEnd::Failed;
  }
  while (in_end_ < in_.size()) {
    std::size_t received = 0;
    switch (tls_->read(in_.data() + in_end_, in_.size() - in_end_, received)) {
      case TlsStream::Io::Done:
        in_end_ += received;
        break;
      case TlsStream::Io::WantRead:
        return ReadEnd::Again;
      case TlsStream::Io::WantWrite:
        read_wants_write_ = true;
        return ReadEnd::Again;
      case TlsStream::Io::Closed:
        return ReadEnd::Closed;
      case TlsStream::Io::Failed:
        return ReadEnd::Failed;
    }
  }
  return ReadEnd::Full;
}

// Parses what was read, then acts on a close or error seen after it.
void UpstreamConnection::pump() {
  if (phase_ != Phase::Busy || paused_) return;
  process();
  if (phase_ != Phase::Busy || paused_) return;
  if (read_failed_) {
    if (reader_.started()) {
      fail(UpstreamFailureKind::Protocol, "the connection broke off mid-answer", false);
    } else {
      fail(UpstreamFailureKind::Protocol, "the connection was reset without an answer", true);
    }
  } else if (eof_) {
    peerClosed();
  }
}

void UpstreamConnection::process() {
  Sink sink(exchange_);
  resumed_early_ = false;
  std::size_t used = 0;
  const ResponseReader::Status status =
      reader_.feed(in_.data() + in_begin_, buffered(), sink, used);
  in_begin_ += used;
  if (buffered() == 0) in_begin_ = in_end_ = 0;
  if (phase_ != Phase::Busy) return;  // the observer cancelled
  switch (status) {
    case ResponseReader::Status::NeedMore:
      return;
    case ResponseReader::Status::Stopped:
      paused_ = true;
      if (resumed_early_) resume(*exchange_);
      return;
    case ResponseReader::Status::Done:
      responseDone();
      return;
    case ResponseReader::Status::Failed:
      fail(UpstreamFailureKind::Protocol, reader_.failure(), false);
      return;
  }
}

void UpstreamConnection::peerClosed() {
  if (!reader_.started()) {
    fail(UpstreamFailureKind::Protocol, "the connection closed without an answer", true);
    return;
  }
  if (reader_.finish() == ResponseReader::Status::Done) {
    responseDone();
  } else {
    fail(UpstreamFailureKind::Protocol, reader_.failure(), false);
  }
}

void UpstreamConnection::responseDone() {
  const bool reusable = reader_.keepAlive() && !eof_ && !read_failed_ && !output_broken_ &&
                        requestSent() && buffered() == 0;
  const std::shared_ptr<Exchange> exchange = std::move(exchange_);
  paused_ = false;
  if (reusable) {
    phase_ = Phase::Idle;
    reused_ = true;
    idle_since_ = context_.loop.now();
    in_begin_ = in_end_ = 0;
    updateInterest();
    if (!context_.owner.connectionIdle(*this)) closeAndReport();
  } else {
    closeAndReport();
  }
  exchange->deliverEnd();
}

void UpstreamConnection::probeIdle() {
  // A provider says nothing unasked: readable means it closed the connection, or broke it.
  // Over TLS it may also be a late session ticket, which OpenSSL takes in. The readiness may
  // also be stale: reported in the same turn as work that has since read the last answer.
  if (tls_) {
    char scratch[512];
    std::size_t received = 0;
    if (tls_->read(scratch, sizeof scratch, received) == TlsStream::Io::WantRead) return;
  } else {
    char byte;
    if (::recv(fd_, &byte, 1, MSG_PEEK | MSG_DONTWAIT) < 0 &&
        (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
      return;
    }
  }
  closeAndReport();
}

void UpstreamConnection::fail(UpstreamFailureKind kind, std::string what, bool retryable) {
  const bool was_open = phase_ != Phase::Closed;
  const std::shared_ptr<Exchange> exchange = std::move(exchange_);
  closeSocket();
  const bool again = retryable && reused_ && exchange && !exchange->finished() &&
                     !exchange->retried && !exchange->bodyStarted();
  if (was_open) context_.owner.connectionClosed(*this, again ? exchange : nullptr);
  if (exchange && !again) exchange->deliverFailure(kind, what);
}

void UpstreamConnection::closeAndReport() {
  if (phase_ == Phase::Closed) return;
  closeSocket();
  context_.owner.connectionClosed(*this, nullptr);
}

void UpstreamConnection::closeSocket() {
  if (phase_ == Phase::Closed) return;
  phase_ = Phase::Closed;
  if (watched_) context_.loop.unwatch(fd_);
  watched_ = reading_ = writing_ = false;
  tls_.reset();
  socket_.close();
}

void UpstreamConnection::updateInterest() {
  bool read = false;
  bool write = false;
  switch (phase_) {
    case Phase::Connecting:
      write = true;
      break;
    case Phase::Handshaking:
      read = !handshake_wants_write_;
      write = handshake_wants_write_;
      break;
    case Phase::Busy: {
      const bool output_left =
          exchange_ && !output_broken_ &&
          (out_sent_ < exchange_->bytes().head.size() + exchange_->bytes().body.size() ||
           !exchange_->queuedBody().empty());
      read = (!paused_ && !eof_ && !read_failed_) || write_wants_read_;
      write = (output_left && !write_wants_read_) || read_wants_write_;
      break;
    }
    case Phase::Idle:
      read = true;
      break;
    case Phase::Closed:
      break;
  }
  setInterest(read, write);
}

void UpstreamConnection::setInterest(bool read, bool write) {
  if (phase_ == Phase::Closed) return;  // its descriptor is gone, or another socket's now
  if (watched_ && read == reading_ && write == writing_) return;
  context_.loop.watch(fd_, *this, read, write);
  watched_ = true;
  reading_ = read;
  writing_ = write;
}

}  // namespace keyhop::proxy
