// OAuth 1.0a (RFC 5849): temporary credentials, resource owner authorization, token credentials,
// and the signature check the protected API shares.

#include <Poco/NumberParser.h>

#include <cstdlib>

#include "tests/fakes/fake_endpoints.hpp"
#include "tests/fakes/oauth1_signature.hpp"

namespace keyhop::fakes {

namespace {

const char* const kRequiredParams[] = {"oauth_consumer_key", "oauth_signature_method",
                                       "oauth_timestamp", "oauth_nonce", "oauth_signature"};

OAuth1Check problem(int status, std::string name) {
  OAuth1Check check;
  check.status = status;
  check.problem = std::move(name);
  return check;
}

void sendProblem(Exchange& exchange, const OAuth1Check& check) {
  sendBody(exchange, check.status, "application/x-www-form-urlencoded",
           encodeForm({{"oauth_problem", check.problem}}),
           {{"WWW-Authenticate", "OAuth realm=\"fake\""}});
}

std::string consumerSecret(const Options& options, const std::string& key, bool& found) {
  for (const auto& client : options.clients) {
    if (client.id == key) {
      found = true;
      return client.secret;
    }
  }
  found = false;
  return "";
}

}  // namespace

OAuth1Check verifyOAuth1(FakeState& state, const Exchange& exchange, OAuth1TokenKind token_kind) {
  const Options& options = exchange.options;
  // Parameters come from the Authorization header, the query and a form body (RFC 5849 3.4.1.3).
  FormParams params;
  const std::string header = exchange.request.get("Authorization", "");
  if (startsWithNoCase(header, "OAuth ")) {
    const auto header_params = oauth1::parseAuthorizationHeader(header);
    if (!header_params) return problem(400, "parameter_rejected");
    for (const auto& param : *header_params) {
      if (param.first != "realm") params.push_back(param);
    }
  }
  const auto query = parseForm(exchange.query);
  if (!query) return problem(400, "parameter_rejected");
  params.insert(params.end(), query->begin(), query->end());
  if (mediaType(exchange) == "application/x-www-form-urlencoded") {
    const auto form = parseForm(exchange.body);
    if (!form) return problem(400, "parameter_rejected");
    params.insert(params.end(), form->begin(), form->end());
  }

  // Each protocol parameter must appear once (RFC 5849 3.1).
  std::map<std::string, std::string> oauth;
  for (const auto& [name, value] : params) {
    if (name.rfind("oauth_", 0) == 0 && !oauth.emplace(name, value).second) {
      return problem(400, "parameter_rejected");
    }
  }
  for (const char* required : kRequiredParams) {
    if (oauth.count(required) == 0) return problem(400, "parameter_absent");
  }
  if (token_kind != OAuth1TokenKind::None && oauth.count("oauth_token") == 0) {
    return problem(400, "parameter_absent");
  }
  if (oauth.count("oauth_version") != 0 && oauth["oauth_version"] != "1.0") {
    return problem(400, "version_rejected");
  }
  if (oauth["oauth_signature_method"] != "HMAC-SHA1") {
    return problem(400, "signature_method_rejected");
  }

  OAuth1Check check;
  check.consumer_key = oauth["oauth_consumer_key"];
  bool known = false;
  const std::string consumer_secret = consumerSecret(options, check.consumer_key, known);
  if (!known) return problem(401, "consumer_key_unknown");
  std::string token_secret;
  if (token_kind != OAuth1TokenKind::None) {
    check.token = oauth["oauth_token"];
    const auto secret = state.oauth1TokenSecret(check.token, check.consumer_key,
                                                token_kind == OAuth1TokenKind::Access);
    if (!secret) return problem(401, "token_rejected");
    token_secret = *secret;
  }

  Poco::Int64 timestamp = 0;
  if (!Poco::NumberParser::tryParse64(oauth["oauth_timestamp"], timestamp)) {
    return problem(400, "parameter_rejected");
  }
  const auto now =
      std::chrono::duration_cast<std::chrono::seconds>(state.now().time_since_epoch()).count();
  if (std::llabs(now - timestamp) > options.timestamp_window.count()) {
    return problem(401, "timestamp_refused");
  }

  FormParams signed_params;
  for (const auto& param : params) {
    if (param.first != "oauth_signature") signed_params.push_back(param);
  }
  const std::string base = oauth1::signatureBaseString(
      exchange.request.getMethod(),
      oauth1::baseStringUri("http", exchange.request.getHost(), exchange.path), signed_params);
  if (oauth1::hmacSha1Signature(base, consumer_secret, token_secret) != oauth["oauth_signature"]) {
    return problem(401, "signature_invalid");
  }
  if (!state.useNonce(check.consumer_key, check.token, timestamp, oauth["oauth_nonce"])) {
    return problem(401, "nonce_used");
  }
  check.params = std::move(params);
  return check;
}

void handleOAuth1RequestToken(FakeState& state, Exchange& exchange) {
  state.count([](Counters& c) { ++c.oauth1_request_tokens; });
  if (answerInjected(state, exchange, Endpoint::OAuth1RequestToken)) return;
  if (exchange.request.getMethod() != "POST") {
    return sendBody(exchange, 405, "text/plain", "POST only\n", {{"Allow", "POST"}});
  }
  const OAuth1Check check = verifyOAuth1(state, exchange, OAuth1TokenKind::None);
  if (!check.problem.empty()) return sendProblem(exchange, check);
  const auto callback = findParam(check.params, "oauth_callback");
  if (!callback) return sendProblem(exchange, problem(400, "parameter_absent"));
  const OAuth1Token token = state.issueRequestToken(check.consumer_key, *callback);
  sendBody(exchange, 200, "application/x-www-form-urlencoded",
           encodeForm({{"oauth_token", token.token},
                       {"oauth_token_secret", token.secret},
                       {"oauth_callback_confirmed", "true"}}));
}

void handleOAuth1Authorize(FakeState& state, Exchange& exchange) {
  const Options& options = exchange.options;
  state.count([](Counters& c) { ++c.oauth1_authorize; });
  if (answerInjected(state, exchange, Endpoint::OAuth1Authorize)) return;
  const auto token = findParam(queryParams(exchange), "oauth_token");
  const auto callback = token ? state.requestTokenCallback(*token) : std::nullopt;
  if (!callback) return sendBody(exchange, 400, "text/plain", "unknown request token\n");

  FormParams answer;
  if (options.deny) {
    answer = {{"denied", *token}};  // what Twitter and others do; RFC 5849 names nothing
  } else {
    const auto approval = state.approveRequestToken(*token, options.user);
    if (!approval) return sendBody(exchange, 400, "text/plain", "unknown request token\n");
    if (approval->callback == "oob") {
      return sendBody(exchange, 200, "text/plain", "verifier: " + approval->verifier + "\n");
    }
    answer = {{"oauth_token", *token}, {"oauth_verifier", approval->verifier}};
  }
  for (const auto& extra : options.callback_params) answer.push_back(extra);
  sendRedirect(exchange, withQuery(*callback, answer));
}

void handleOAuth1AccessToken(FakeState& state, Exchange& exchange) {
  const Options& options = exchange.options;
  state.count([](Counters& c) { ++c.oauth1_access_tokens; });
  if (answerInjected(state, exchange, Endpoint::OAuth1AccessToken)) return;
  if (exchange.request.getMethod() != "POST") {
    return sendBody(exchange, 405, "text/plain", "POST only\n", {{"Allow", "POST"}});
  }
  const OAuth1Check check = verifyOAuth1(state, exchange, OAuth1TokenKind::Request);
  if (!check.problem.empty()) return sendProblem(exchange, check);
  const auto verifier = findParam(check.params, "oauth_verifier");
  if (!verifier) return sendProblem(exchange, problem(400, "parameter_absent"));
  const OAuth1Exchange result =
      state.exchangeRequestToken(check.token, check.consumer_key, *verifier);
  if (!result.token) return sendProblem(exchange, problem(401, result.problem));
  FormParams answer = {{"oauth_token", result.token->token},
                       {"oauth_token_secret", result.token->secret},
                       {"user_id", result.user}};
  for (const auto& extra : options.extra_fields) answer.emplace_back(extra.path, extra.value);
  sendBody(exchange, 200, "application/x-www-form-urlencoded", encodeForm(answer));
}

}  // namespace keyhop::fakes
