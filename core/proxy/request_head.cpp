#include "core/proxy/request_head.hpp"

#include <algorithm>

#include "core/flows/head_writer.hpp"
#include "core/flows/http_text.hpp"

namespace keyhop::proxy {
namespace {

// Bodies up to this size travel in the head's buffer: one send (one TLS record) per request.
constexpr std::size_t kInlineBody = 16 * 1024;

// The room a head needs beyond its method, target, Host value and headers.
constexpr std::size_t kLongestFixedParts =
    sizeof "  HTTP/1.1\r\n" + sizeof "Host: \r\n" + sizeof "Content-Length: \r\n" +
    flows::HeadWriter::kLongestNumber + sizeof "Transfer-Encoding: chunked\r\n" + sizeof "\r\n";

bool methodCarriesBody(std::string_view method) {
  return method == "POST" || method == "PUT" || method == "PATCH";
}

bool sendable(const Header& header) {
  return !header.name.empty() && !flows::holdsLineBreak(header.name) &&
         !flows::holdsLineBreak(header.value);
}

bool replacedBy(const HeaderList& stamped, const Header& header) {
  return std::any_of(stamped.begin(), stamped.end(), [&](const Header& own) {
    return flows::equalsIgnoreCase(own.name, header.name);
  });
}

}  // namespace

RequestBytes serializeRequest(const UpstreamRequest& request) {
  static const HeaderList kNone;
  const HeaderList& headers = request.headers ? *request.headers : kNone;
  const HeaderList& stamped = request.stamped ? *request.stamped : kNone;
  const bool inline_body = request.body.size() <= kInlineBody;

  std::size_t room = kLongestFixedParts + request.method.size() + request.target.size() +
                     request.host_header.size();
  for (const auto& header : headers) room += flows::HeadWriter::lineRoom(header.name, header.value);
  for (const auto& header : stamped) room += flows::HeadWriter::lineRoom(header.name, header.value);
  if (inline_body) room += request.body.size();
  RequestBytes bytes;
  flows::HeadWriter head(bytes.head, room);
  head.put(request.method);
  head.put(" ");
  head.put(request.target);
  head.put(" HTTP/1.1\r\nHost: ");
  head.put(request.host_header);
  head.put("\r\n");
  for (const auto& header : headers) {
    if (sendable(header) && !replacedBy(stamped, header)) head.putLine(header.name, header.value);
  }
  for (const auto& header : stamped) {
    if (sendable(header)) head.putLine(header.name, header.value);
  }
  bytes.body_follows = request.body_follows;
  bytes.chunked = request.body_follows && !request.body_length;
  const auto putLength = [&head](std::uint64_t length) {
    head.put("Content-Length: ");
    head.putNumber(length);
    head.put("\r\n");
  };
  if (bytes.chunked) {
    head.put("Transfer-Encoding: chunked\r\n");
  } else if (request.body_follows) {
    putLength(*request.body_length);
  } else if (!request.body.empty() || methodCarriesBody(request.method)) {
    putLength(request.body.size());
  }
  head.put("\r\n");
  if (inline_body) {
    head.put(request.body);
  } else {
    bytes.body.assign(request.body.data(), request.body.size());
  }
  head.finish();
  return bytes;
}

}  // namespace keyhop::proxy
