#pragma once

// The fake provider's endpoints and what they share. Internal to tests/fakes/.

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <string>

#include "tests/fakes/fake_http.hpp"
#include "tests/fakes/fake_provider.hpp"
#include "tests/fakes/fake_state.hpp"

namespace keyhop::fakes {

// One request being answered. Its body is already read: a handler that answered without
// draining it would break the next request on a kept-alive connection. A body over 1 MiB (an
// upload test's) is only counted and hashed as it arrives, so the fake never holds it.
struct Exchange {
  const Options& options;  // one snapshot for the whole request, held by the dispatcher
  Poco::Net::HTTPServerRequest& request;
  Poco::Net::HTTPServerResponse& response;
  std::string path;   // raw, as sent
  std::string query;  // raw, without '?'
  std::string body;  // empty when over 1 MiB
  Poco::UInt64 body_size = 0;
  std::string body_sha256;  // hex
};

void handleAuthorize(FakeState& state, Exchange& exchange);
void handleToken(FakeState& state, Exchange& exchange);
void handleOAuth1RequestToken(FakeState& state, Exchange& exchange);
void handleOAuth1Authorize(FakeState& state, Exchange& exchange);
void handleOAuth1AccessToken(FakeState& state, Exchange& exchange);
void handleApi(FakeState& state, Exchange& exchange);

// Answers with a Content-Length (keep-alive needs it); no body for 1xx, 204 and 304.
void sendBody(Exchange& exchange, int status, const std::string& content_type,
              const std::string& body, const HeaderList& headers = {});
void sendCanned(Exchange& exchange, const CannedResponse& canned);
void sendRedirect(Exchange& exchange, const std::string& location);

// Sends the injected answer when one is queued for `endpoint`; true when it did.
bool answerInjected(FakeState& state, Exchange& exchange, Endpoint endpoint);

// The Content-Type's media type, lower-case, without parameters.
std::string mediaType(const Exchange& exchange);

// The query's parameters; empty when it is malformed.
FormParams queryParams(const Exchange& exchange);

// RFC 5849 3.2 verification of a signed request. `token` says which token the request must
// carry: none (request_token), a request token (access_token) or an access token (the API).
enum class OAuth1TokenKind { None, Request, Access };
struct OAuth1Check {
  int status = 200;     // 400 or 401 on failure
  std::string problem;  // oauth_problem name; empty when the request is valid
  std::string consumer_key;
  std::string token;
  FormParams params;  // every parameter of the request, oauth_* ones included
};
OAuth1Check verifyOAuth1(FakeState& state, const Exchange& exchange, OAuth1TokenKind token);

}  // namespace keyhop::fakes
