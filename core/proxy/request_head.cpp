#include "core/proxy/request_head.hpp"

#include "core/flows/http_text.hpp"

namespace keyhop::proxy {
namespace {

// Bodies up to this size travel in the head's buffer: one send (one TLS record) per request.
constexpr std::size_t kInlineBody = 16 * 1024;

bool methodCarriesBody(const std::string& method) {
  return method == "POST" || method == "PUT" || method == "PATCH";
}

}  // namespace

RequestBytes serializeRequest(UpstreamRequest&& request) {
  RequestBytes bytes;
  std::string& head = bytes.head;
  std::size_t size =
      request.method.size() + request.target.size() + request.host_header.size() + 64;
  for (const auto& header : request.headers) size += header.name.size() + header.value.size() + 4;
  if (request.body.size() <= kInlineBody) size += request.body.size();
  head.reserve(size);

  head.append(request.method).append(" ").append(request.target).append(" HTTP/1.1\r\n");
  head.append("Host: ").append(request.host_header).append("\r\n");
  for (const auto& header : request.headers) {
    if (header.name.empty() || flows::holdsLineBreak(header.name) ||
        flows::holdsLineBreak(header.value)) {
      continue;
    }
    head.append(header.name).append(": ").append(header.value).append("\r\n");
  }
  bytes.body_follows = request.body_follows;
  bytes.chunked = request.body_follows && !request.body_length;
  if (bytes.chunked) {
    head.append("Transfer-Encoding: chunked\r\n");
  } else if (request.body_follows) {
    head.append("Content-Length: ").append(std::to_string(*request.body_length)).append("\r\n");
  } else if (!request.body.empty() || methodCarriesBody(request.method)) {
    head.append("Content-Length: ").append(std::to_string(request.body.size())).append("\r\n");
  }
  head.append("\r\n");
  if (request.body.size() <= kInlineBody) {
    head.append(request.body);
  } else {
    bytes.body = std::move(request.body);
  }
  return bytes;
}

}  // namespace keyhop::proxy
