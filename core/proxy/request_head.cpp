#include "core/proxy/request_head.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "core/flows/http_text.hpp"

namespace keyhop::proxy {
namespace {

// Bodies up to this size travel in the head's buffer: one send (one TLS record) per request.
constexpr std::size_t kInlineBody = 16 * 1024;

// The room a head needs beyond its method, target, Host value and headers.
constexpr std::size_t kLongestNumber = 20;  // an unsigned 64-bit number in decimal
constexpr std::size_t kLongestFixedParts = sizeof "  HTTP/1.1\r\n" + sizeof "Host: \r\n" +
                                           sizeof "Content-Length: \r\n" + kLongestNumber +
                                           sizeof "Transfer-Encoding: chunked\r\n" + sizeof "\r\n";

bool methodCarriesBody(std::string_view method) {
  return method == "POST" || method == "PUT" || method == "PATCH";
}

bool sendable(const Header& header) {
  return !header.name.empty() && !flows::holdsLineBreak(header.name) &&
         !flows::holdsLineBreak(header.value);
}

bool replacedBy(const HeaderList* stamped, const Header& header) {
  return stamped && std::any_of(stamped->begin(), stamped->end(), [&](const Header& own) {
           return flows::equalsIgnoreCase(own.name, header.name);
         });
}

}  // namespace

RequestBytes serializeRequest(const UpstreamRequest& request) {
  static const HeaderList kNone;
  const HeaderList& headers = request.headers ? *request.headers : kNone;
  const HeaderList& stamped = request.stamped ? *request.stamped : kNone;
  const bool inline_body = request.body.size() <= kInlineBody;

  // Written in place into room made once, as the server writes its response heads.
  std::size_t room = kLongestFixedParts + request.method.size() + request.target.size() +
                     request.host_header.size();
  for (const auto& header : headers) room += header.name.size() + header.value.size() + 4;
  for (const auto& header : stamped) room += header.name.size() + header.value.size() + 4;
  if (inline_body) room += request.body.size();
  RequestBytes bytes;
  std::string& head = bytes.head;
  head.resize(room);
  char* at = head.data();
  const auto put = [&at](std::string_view text) {
    std::memcpy(at, text.data(), text.size());
    at += text.size();
  };
  const auto putHeader = [&put](const Header& header) {
    put(header.name);
    put(": ");
    put(header.value);
    put("\r\n");
  };

  put(request.method);
  put(" ");
  put(request.target);
  put(" HTTP/1.1\r\nHost: ");
  put(request.host_header);
  put("\r\n");
  for (const auto& header : headers) {
    if (sendable(header) && !replacedBy(request.stamped, header)) putHeader(header);
  }
  for (const auto& header : stamped) {
    if (sendable(header)) putHeader(header);
  }
  bytes.body_follows = request.body_follows;
  bytes.chunked = request.body_follows && !request.body_length;
  const auto putLength = [&](std::uint64_t length) {
    put("Content-Length: ");
    at = std::to_chars(at, at + kLongestNumber, length).ptr;
    put("\r\n");
  };
  if (bytes.chunked) {
    put("Transfer-Encoding: chunked\r\n");
  } else if (request.body_follows) {
    putLength(*request.body_length);
  } else if (!request.body.empty() || methodCarriesBody(request.method)) {
    putLength(request.body.size());
  }
  put("\r\n");
  if (inline_body) {
    put(request.body);
  } else {
    bytes.body.assign(request.body.data(), request.body.size());
  }
  head.resize(static_cast<std::size_t>(at - head.data()));
  return bytes;
}

}  // namespace keyhop::proxy
