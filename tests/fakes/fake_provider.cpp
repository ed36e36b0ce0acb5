#include "tests/fakes/fake_provider.hpp"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/ThreadPool.h>

#include <sys/socket.h>

#include <iostream>
#include <string_view>

#include "tests/fakes/fake_endpoints.hpp"
#include "tests/fakes/fake_state.hpp"

namespace keyhop::fakes {

namespace {

constexpr std::size_t kKeptBody = 1024 * 1024;

struct Route {
  std::string_view path;
  bool prefix;
  Endpoint endpoint;
  void (*handle)(FakeState&, Exchange&);
};

// The whole HTTP surface of the fake.
constexpr Route kRoutes[] = {
    {"/oauth/authorize", false, Endpoint::Authorize, handleAuthorize},
    {"/oauth/token", false, Endpoint::Token, handleToken},
    {"/oauth1/request_token", false, Endpoint::OAuth1RequestToken, handleOAuth1RequestToken},
    {"/oauth1/authorize", false, Endpoint::OAuth1Authorize, handleOAuth1Authorize},
    {"/oauth1/access_token", false, Endpoint::OAuth1AccessToken, handleOAuth1AccessToken},
    {"/api/", true, Endpoint::Api, handleApi},
};

const Route* findRoute(const std::string& path) {
  for (const auto& route : kRoutes) {
    if (route.prefix ? path.rfind(route.path, 0) == 0 : path == route.path) return &route;
  }
  return nullptr;
}

RecordedRequest recording(const Exchange& exchange) {
  RecordedRequest recorded{
      exchange.request.getMethod(), exchange.request.getURI(), {}, exchange.body};
  for (const auto& [name, value] : exchange.request) recorded.headers.push_back({name, value});
  return recorded;
}

// Whether the client closed its end (or died): readable with nothing to read is end of stream.
bool clientLeft(Poco::Net::HTTPServerRequest& request) {
  auto* impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&request);
  if (impl == nullptr) return false;
  Poco::Net::StreamSocket& socket = impl->socket();
  if (!socket.poll(Poco::Timespan(0), Poco::Net::Socket::SELECT_READ)) return false;
  char byte = 0;
  return ::recv(socket.impl()->sockfd(), &byte, 1, MSG_PEEK) <= 0;
}

// While it lives, a request to `endpoint` is being answered (FakeState::beginAnswer).
class Answering final {
 public:
  Answering(FakeState& state, Endpoint endpoint) : state_(state), endpoint_(endpoint) {
    state_.beginAnswer(endpoint_);
  }
  ~Answering() { state_.endAnswer(endpoint_); }
  Answering(const Answering&) = delete;
  Answering& operator=(const Answering&) = delete;

 private:
  FakeState& state_;
  const Endpoint endpoint_;
};

class RequestHandler final : public Poco::Net::HTTPRequestHandler {
 public:
  explicit RequestHandler(FakeState& state) : state_(state) {}

  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override {
    try {
      const auto options = state_.options();
      const std::string& uri = request.getURI();
      const std::size_t question = uri.find('?');
      Exchange exchange{*options,
                        request,
                        response,
                        uri.substr(0, question),
                        question == std::string::npos ? "" : uri.substr(question + 1),
                        {},
                        0,
                        {}};
      ReadBody body = readBody(request.stream(), kKeptBody);
      exchange.body = std::move(body.text);
      exchange.body_size = body.size;
      exchange.body_sha256 = std::move(body.sha256);
      const Route* route = findRoute(exchange.path);
      if (route == nullptr) {
        return sendBody(exchange, 404, "application/json", R"({"error":"not_found"})");
      }
      if (route->endpoint != Endpoint::Api) state_.record(route->endpoint, recording(exchange));
      const Answering answering(state_, route->endpoint);
      if (const auto delay = options->delays.find(route->endpoint);
          delay != options->delays.end()) {
        state_.sleepFor(delay->second);
        if (options->cancel_when_client_leaves && clientLeft(request)) return;
      }
      route->handle(state_, exchange);
    } catch (const std::exception& error) {
      // A fake that dies quietly makes a test fail far from the cause: say what broke.
      std::cerr << "fake provider: " << request.getMethod() << ' ' << request.getURI() << ": "
                << error.what() << '\n';
      if (!response.sent()) {
        response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_INTERNAL_SERVER_ERROR);
        response.setContentLength(0);
        response.send();
      }
    }
  }

 private:
  FakeState& state_;  // owned by the FakeProvider, which stops the server before destroying it
};

class HandlerFactory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit HandlerFactory(FakeState& state) : state_(state) {}

  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new RequestHandler(state_);
  }

 private:
  FakeState& state_;
};

}  // namespace

struct FakeProvider::Server {
  Server(FakeState& state, const ServerParams& params) : pool("fake-provider", 2, params.threads) {
    // Not the (address, backlog) constructor: it sets SO_REUSEPORT, and a second fake on a fixed
    // port (scripts/run's demo) would then share it silently instead of failing to start.
    socket.bind(Poco::Net::SocketAddress("127.0.0.1", params.port), true, false);
    // Poco's default backlog of 64 drops SYNs when more clients connect at once (a benchmark's
    // -c128): they retry only after a second.
    socket.listen(1024);
    auto* server_params = new Poco::Net::HTTPServerParams;
    // Poco starves kept-alive clients beyond maxThreads silently, so one thread per connection.
    server_params->setMaxThreads(params.threads);
    server_params->setMaxQueued(1024);
    server_params->setKeepAlive(true);
    server_params->setMaxKeepAliveRequests(0);
    server_params->setKeepAliveTimeout(Poco::Timespan(30, 0));
    // A dispatcher thread between two waits misses stop()'s wake-up and sleeps out its idle time
    // (Poco's default 10 s) before the server can be destroyed: keep that short.
    server_params->setThreadIdleTime(Poco::Timespan(0, 100000));
    socket.setNoDelay(true);
    http = std::make_unique<Poco::Net::HTTPServer>(new HandlerFactory(state), pool, socket,
                                                   server_params);
    http->start();
  }

  ~Server() {
    // Poco's acceptor looks for stop() between 250 ms polls. Shutting the listening socket down
    // wakes it at once (Linux), which matters to suites that start a fake per test; a waking
    // connection instead could start a dispatcher thread that misses the stop and idles 10 s.
    try {
      socket.impl()->shutdownReceive();
    } catch (const Poco::Exception&) {
    }
    http->stopAll(true);
    pool.joinAll();
  }

  Poco::Net::ServerSocket socket;
  Poco::ThreadPool pool;
  std::unique_ptr<Poco::Net::HTTPServer> http;
};

FakeProvider::FakeProvider(Options options, ServerParams params)
    : state_(std::make_unique<FakeState>(std::move(options))),
      server_(std::make_unique<Server>(*state_, params)) {}

FakeProvider::~FakeProvider() {
  state_->stop();
  server_.reset();
}

std::uint16_t FakeProvider::port() const { return server_->socket.address().port(); }

std::string FakeProvider::url() const { return "http://127.0.0.1:" + std::to_string(port()); }

Options FakeProvider::options() const { return *state_->options(); }

void FakeProvider::configure(const std::function<void(Options&)>& change) {
  state_->configure(change);
}

void FakeProvider::failNext(Endpoint endpoint, int count, CannedResponse response) {
  state_->failNext(endpoint, count, std::move(response));
}

Counters FakeProvider::counters() const { return state_->counters(); }

void FakeProvider::resetCounters() { state_->resetCounters(); }

std::optional<RecordedRequest> FakeProvider::lastRequest(Endpoint endpoint) const {
  return state_->lastRequest(endpoint);
}

TokenPair FakeProvider::issueTokens(const std::string& user, const std::string& client_id) {
  return state_->issueTokens(user, client_id);
}

void FakeProvider::addCredential(const std::string& credential, const std::string& user) {
  state_->addCredential(credential, user);
}

OAuth1Token FakeProvider::issueOAuth1Token(const std::string& user,
                                           const std::string& consumer_key) {
  return state_->issueOAuth1Token(user, consumer_key);
}

bool FakeProvider::expireToken(const std::string& access_token) {
  return state_->expireToken(access_token);
}

bool FakeProvider::revokeToken(const std::string& token) { return state_->revokeToken(token); }

void FakeProvider::advanceClockForTest(std::chrono::seconds by) { state_->advanceClock(by); }

}  // namespace keyhop::fakes
