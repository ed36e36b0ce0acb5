#pragma once

// A response sent in pieces as it is produced: how the proxy passes a provider's answer on
// while it arrives, with bounded memory. A StreamHandler (router.hpp) gets one; it lives on the
// reactor thread of the request's connection, and every call must be made on that thread.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include "core/server/http_message.hpp"
#include "core/server/reactor_service.hpp"

namespace keyhop::server {

// Hears what happens to the client while a producer answers it, on the stream's reactor
// thread. Held weakly by the stream: a producer that is gone is not told.
class StreamListener {
 public:
  virtual ~StreamListener() = default;
  // The queued body is written out after sendBody returned false.
  virtual void streamDrained() {}
  // The connection closed before end() or fail(): stop producing, and never call the stream
  // again (it is gone once this returns). Told once.
  virtual void streamClosed() = 0;
};

class ResponseStream {
 public:
  virtual ~ResponseStream() = default;

  // The reactor's service (ServerOptions::reactor_service), or null when there is none.
  virtual ReactorService* service() = 0;

  // The status line (`reason` as given, else the standard one) and headers, which must carry
  // no framing (Content-Length, Transfer-Encoding, Connection: dropped). The server frames the
  // body: Content-Length when `content_length` is known, else chunked (close-delimited for an
  // HTTP/1.0 client). `has_body` false: none follows (a HEAD request's answer, 204, 304).
  virtual void sendHead(int status, std::string_view reason, const flows::HeaderViews& headers,
                        std::optional<std::uint64_t> content_length, bool has_body) = 0;
  // Queues a piece of the body. False when the client has this much unread already that the
  // producer should wait for StreamListener::streamDrained before sending more (the piece is
  // queued either way).
  virtual bool sendBody(std::string_view bytes) = 0;
  // The body is complete.
  virtual void end() = 0;
  // The response cannot be completed: `response` goes out when no head was sent yet;
  // otherwise the connection closes, so the client sees a truncated answer, never a wrong one.
  virtual void fail(Response response) = 0;

  // Runs `work` on a worker thread, where it may block, then the continuation it returns on
  // this stream's reactor thread (not at all once the server stops). The producer checks that
  // it still has a client there: the connection may have closed meanwhile.
  virtual void offload(std::function<std::function<void()>()> work) = 0;

  // From now on `listener` hears of the client (in place of any listener before it). Weak, not
  // a callback to store: this is set on every proxied request.
  virtual void listen(std::weak_ptr<StreamListener> listener) = 0;
};

}  // namespace keyhop::server
