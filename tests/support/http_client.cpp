#include "tests/support/http_client.hpp"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>

namespace keyhop::test {

std::string HttpResult::header(const std::string& name) const {
  for (const auto& h : headers) {
    if (Poco::icompare(h.name, name) == 0) return h.value;
  }
  return "";
}

HttpResult httpRequest(std::uint16_t port, const std::string& method, const std::string& target,
                       const std::string& body, const HeaderList& headers) {
  Poco::Net::HTTPClientSession session("127.0.0.1", port);
  session.setTimeout(Poco::Timespan(10, 0));
  Poco::Net::HTTPRequest request(method, target, Poco::Net::HTTPMessage::HTTP_1_1);
  for (const auto& h : headers) request.add(h.name, h.value);
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    request.setContentLength(static_cast<std::streamsize>(body.size()));
  }
  session.sendRequest(request) << body;
  Poco::Net::HTTPResponse response;
  std::istream& in = session.receiveResponse(response);
  HttpResult result;
  result.status = response.getStatus();
  result.reason = response.getReason();
  for (const auto& [name, value] : response) result.headers.push_back({name, value});
  Poco::StreamCopier::copyToString(in, result.body);
  return result;
}

std::uint16_t freePort() {
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
  return socket.address().port();
}

PortReservation::PortReservation() {
  // Poco 1.11's StreamSocket has no bind of its own; its implementation does.
  socket_.impl()->bind(Poco::Net::SocketAddress("127.0.0.1", 0), true);
  port_ = socket_.address().port();
}

}  // namespace keyhop::test
