#include "core/flows/http_client.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/String.h>
#include <Poco/URI.h>

#include <istream>
#include <memory>
#include <ostream>

namespace keyhop::flows {

namespace {

Poco::Timespan toTimespan(std::chrono::milliseconds ms) {
  return Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(ms.count()) * 1000);
}

// The URL as it may appear in a message: no query (it may carry a credential), no user info.
std::string describe(const std::string& method, const Poco::URI& uri) {
  std::string text = method + " " + uri.getScheme() + "://" + uri.getHost();
  if (!uri.getPath().empty()) text += uri.getPath();
  return text;
}

HttpFailure failure(HttpFailureKind kind, std::string message) {
  return HttpFailure{kind, std::move(message)};
}

// Reads at most `limit` + 1 bytes so an oversized answer is recognised without keeping it all.
bool readCapped(std::istream& in, std::size_t limit, std::string& body) {
  char buffer[16384];
  while (in) {
    in.read(buffer, sizeof(buffer));
    body.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (body.size() > limit) return false;
  }
  return true;
}

}  // namespace

std::string HttpResponse::header(std::string_view name) const {
  for (const auto& h : headers) {
    if (Poco::icompare(h.name, std::string(name)) == 0) return h.value;
  }
  return {};
}

const char* toString(HttpFailureKind kind) {
  switch (kind) {
    case HttpFailureKind::Timeout:
      return "timeout";
    case HttpFailureKind::Unreachable:
      return "unreachable";
    case HttpFailureKind::Protocol:
      return "protocol";
  }
  return "protocol";
}

bool isLoopbackHost(std::string_view host) {
  if (Poco::icompare(std::string(host), "localhost") == 0) return true;
  std::string bare(host);
  if (bare.size() > 2 && bare.front() == '[' && bare.back() == ']') {
    bare = bare.substr(1, bare.size() - 2);
  }
  Poco::Net::IPAddress address;
  return Poco::Net::IPAddress::tryParse(bare, address) && address.isLoopback();
}

HttpClient::HttpClient(HttpClientOptions options) : options_(std::move(options)) {
  Poco::Net::Context::Params params;
  params.caLocation = options_.ca_file;
  params.loadDefaultCAs = options_.ca_file.empty();
  params.verificationMode = Poco::Net::Context::VERIFY_STRICT;
  tls_ = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
  tls_->disableProtocols(Poco::Net::Context::PROTO_SSLV2 | Poco::Net::Context::PROTO_SSLV3 |
                         Poco::Net::Context::PROTO_TLSV1 | Poco::Net::Context::PROTO_TLSV1_1);
}

HttpClient::~HttpClient() = default;

HttpResult HttpClient::send(const OutgoingRequest& request) const {
  Poco::URI uri;
  try {
    uri = Poco::URI(request.url);
  } catch (const Poco::SyntaxException&) {
    return failure(HttpFailureKind::Protocol, request.method + ": the URL is not valid");
  }
  const std::string what = describe(request.method, uri);
  const std::string scheme = Poco::toLower(uri.getScheme());
  if (uri.getHost().empty() || (scheme != "https" && scheme != "http")) {
    return failure(HttpFailureKind::Protocol, what + ": only absolute http(s) URLs are sent");
  }
  if (scheme == "http" && !isLoopbackHost(uri.getHost())) {
    return failure(HttpFailureKind::Protocol,
                   what + ": plain http is only allowed towards loopback hosts");
  }

  try {
    std::unique_ptr<Poco::Net::HTTPClientSession> session;
    if (scheme == "https") {
      session = std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(),
                                                                 tls_);
    } else {
      session = std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
    }
    session->setTimeout(toTimespan(options_.connect_timeout), toTimespan(options_.read_timeout),
                        toTimespan(options_.read_timeout));
    session->setKeepAlive(false);

    std::string target = uri.getPathEtc();
    if (target.empty() || target.front() != '/') target = "/" + target;
    Poco::Net::HTTPRequest outgoing(request.method, target, Poco::Net::HTTPMessage::HTTP_1_1);
    for (const auto& header : request.headers) outgoing.add(header.name, header.value);
    const bool has_body = !request.body.empty() || request.method == "POST" ||
                          request.method == "PUT" || request.method == "PATCH";
    if (has_body) outgoing.setContentLength(static_cast<std::streamsize>(request.body.size()));

    std::ostream& out = session->sendRequest(outgoing);
    out.write(request.body.data(), static_cast<std::streamsize>(request.body.size()));
    out.flush();

    Poco::Net::HTTPResponse incoming;
    std::istream& in = session->receiveResponse(incoming);
    HttpResponse response;
    response.status = static_cast<int>(incoming.getStatus());
    for (const auto& [name, value] : incoming) response.headers.push_back({name, value});
    if (!readCapped(in, options_.max_body_bytes, response.body)) {
      return failure(HttpFailureKind::Protocol,
                     what + ": the answer is larger than " +
                         std::to_string(options_.max_body_bytes) + " bytes");
    }
    return response;
  } catch (const Poco::TimeoutException&) {
    return failure(HttpFailureKind::Timeout, what + ": timed out");
  } catch (const Poco::Net::NoMessageException&) {
    return failure(HttpFailureKind::Protocol, what + ": the connection closed without an answer");
  } catch (const Poco::Net::MessageException& e) {
    return failure(HttpFailureKind::Protocol, what + ": malformed answer (" + e.message() + ")");
  } catch (const Poco::Net::SSLException& e) {
    return failure(HttpFailureKind::Unreachable, what + ": TLS failed (" + e.message() + ")");
  } catch (const Poco::Net::NetException& e) {
    return failure(HttpFailureKind::Unreachable, what + ": " + e.displayText());
  } catch (const Poco::Exception& e) {
    return failure(HttpFailureKind::Unreachable, what + ": " + e.displayText());
  }
}

}  // namespace keyhop::flows
