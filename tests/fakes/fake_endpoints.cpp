#include "tests/fakes/fake_endpoints.hpp"

#include <Poco/String.h>

#include <algorithm>
#include <cctype>

namespace keyhop::fakes {

void sendBody(Exchange& exchange, int status, const std::string& content_type,
              const std::string& body, const HeaderList& headers) {
  auto& response = exchange.response;
  response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
  for (const auto& header : headers) response.add(header.name, header.value);
  if (status < 200 || status == 204 || status == 304) {
    response.send();
    return;
  }
  if (!content_type.empty() && !response.has("Content-Type")) {
    response.setContentType(content_type);
  }
  response.sendBuffer(body.data(), body.size());
}

void sendCanned(Exchange& exchange, const CannedResponse& canned) {
  const bool typed = std::any_of(canned.headers.begin(), canned.headers.end(), [](const Header& h) {
    return Poco::icompare(h.name, "Content-Type") == 0;
  });
  sendBody(exchange, canned.status, typed ? "" : "application/json", canned.body, canned.headers);
}

void sendRedirect(Exchange& exchange, const std::string& location) {
  sendBody(exchange, 302, "text/plain", "", {{"Location", location}});
}

bool answerInjected(FakeState& state, Exchange& exchange, Endpoint endpoint) {
  const auto injected = state.takeFailure(endpoint);
  if (!injected) return false;
  if (endpoint == Endpoint::Token) state.count([](Counters& c) { ++c.token_errors; });
  sendCanned(exchange, *injected);
  return true;
}

std::string mediaType(const Exchange& exchange) {
  std::string type = exchange.request.getContentType();
  type.erase(std::min(type.find(';'), type.size()));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  std::transform(type.begin(), type.end(), type.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return type;
}

FormParams queryParams(const Exchange& exchange) {
  return parseForm(exchange.query).value_or(FormParams{});
}

}  // namespace keyhop::fakes
