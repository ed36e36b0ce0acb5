#include "tests/support/tls_test_server.hpp"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/SecureServerSocket.h>

#include <utility>

namespace keyhop::test {
namespace {

class Handler final : public Poco::Net::HTTPRequestHandler {
 public:
  explicit Handler(const TlsTestServer::Handle& handle) : handle_(handle) {}
  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override {
    handle_(request, response);
  }

 private:
  const TlsTestServer::Handle& handle_;  // the factory's, which outlives its handlers
};

class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Factory(TlsTestServer::Handle handle) : handle_(std::move(handle)) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new Handler(handle_);
  }

 private:
  TlsTestServer::Handle handle_;
};

Poco::Net::HTTPServerParams* serverParams() {
  auto* params = new Poco::Net::HTTPServerParams;
  params->setKeepAlive(true);
  params->setMaxThreads(16);
  return params;
}

}  // namespace

struct TlsTestServer::Server {
  Server(const TestCertificates& certificates, Handle handle)
      : context(new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE,
                                       certificates.keyFile().string(),
                                       certificates.certificateFile().string(), "",
                                       Poco::Net::Context::VERIFY_NONE)),
        socket(Poco::Net::SocketAddress("127.0.0.1", 0), 64, context),
        http(new Factory(std::move(handle)), socket, serverParams()) {}

  Poco::Net::Context::Ptr context;
  Poco::Net::SecureServerSocket socket;
  Poco::Net::HTTPServer http;
};

TlsTestServer::TlsTestServer(const TestCertificates& certificates, Handle handle)
    : server_(std::make_unique<Server>(certificates, std::move(handle))) {
  server_->http.start();
}

TlsTestServer::~TlsTestServer() { server_->http.stopAll(true); }

std::uint16_t TlsTestServer::port() const { return server_->socket.address().port(); }

}  // namespace keyhop::test
