#include "core/flows/oauth1_flow.hpp"

#include "core/flows/authorize_url.hpp"
#include "core/flows/prepared_request.hpp"
#include "core/flows/response_document.hpp"
#include "core/flows/templates.hpp"
#include "core/flows/token_response.hpp"

namespace keyhop::flows::oauth1 {

namespace {

// OAuth Problem Reporting names (the extension real OAuth 1.0a providers use) by consequence.
FailureKind classifyProblem(const std::string& problem, int status) {
  if (problem == "token_rejected" || problem == "token_used" || problem == "token_expired" ||
      problem == "token_revoked" || problem == "verifier_invalid" ||
      problem == "permission_denied") {
    return FailureKind::InvalidGrant;
  }
  if (problem == "consumer_key_unknown" || problem == "consumer_key_rejected" ||
      problem == "consumer_key_refused" || problem == "signature_invalid") {
    return FailureKind::InvalidClient;
  }
  if (problem.empty() && status == 401) return FailureKind::InvalidClient;
  return FailureKind::ProviderError;
}

HttpResult post(const HttpClient& http, const std::string& url, const Params& body,
                const std::string& authorization) {
  PreparedRequest request{"POST", url, {}, encodeForm(body)};
  request.headers.push_back({"Authorization", authorization});
  request.headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
  return http.send(request.view());
}

// The failure an answer means, or nothing when it is a success.
std::optional<FlowFailure> errorOf(const HttpResponse& response, const std::string& endpoint) {
  if (response.status >= 500 || response.status == 429) {
    return FlowFailure{FailureKind::Transient,
                       endpoint + " answered HTTP " + std::to_string(response.status), "",
                       response.status};
  }
  if (response.status < 400) return std::nullopt;
  const auto document = ResponseDocument::parse(response.header("Content-Type"), response.body);
  const std::string problem =
      document ? document->text("oauth_problem").value_or(document->text("error").value_or(""))
               : "";
  const std::string code = problem.substr(0, 64);
  return FlowFailure{classifyProblem(problem, response.status),
                     endpoint + " answered " + (code.empty() ? "an error" : code) + " (HTTP " +
                         std::to_string(response.status) + ")",
                     code, response.status};
}

FlowFailure notAForm(const std::string& endpoint, int status) {
  return FlowFailure{FailureKind::InvalidResponse, endpoint + " answered a body that is not a form",
                     "", status};
}

}  // namespace

FlowResult<TemporaryCredentials> requestToken(
    const HttpClient& http, const ProviderSpec& spec, const ClientRegistration& client,
    const std::string& callback_url, const std::map<std::string, std::string>& connection_fields) {
  if (!spec.oauth1) {
    return FlowFailure{FailureKind::InvalidInput, "the provider has no oauth1 settings", "", 0};
  }
  TemplateValues values;
  values.connection = &connection_fields;
  const Filled url = fillUrl(spec.oauth1->request_url, values, "oauth1.request_url");
  if (!url) return FlowFailure{FailureKind::InvalidInput, url.error, "", 0};

  Params body;
  const std::string scope = joinScopes(spec, {});
  if (!scope.empty()) body.emplace_back("scope", scope);
  const Signer signer{spec.oauth1->signature, client.client_id, client.client_secret, "", ""};
  const std::string authorization = authorize(
      signer, "POST", url.value, body, freshRequestValues({{"oauth_callback", callback_url}}));
  const std::string endpoint = "request-token endpoint";
  const HttpResult answer = post(http, url.value, body, authorization);
  if (!answer) return transportFailure(answer.failure());
  if (auto failure = errorOf(answer.response(), endpoint)) return *failure;
  const auto document =
      ResponseDocument::parse(answer.response().header("Content-Type"), answer.response().body);
  if (!document) return notAForm(endpoint, answer.response().status);
  TemporaryCredentials temporary{document->text("oauth_token").value_or(""),
                                 document->text("oauth_token_secret").value_or("")};
  if (temporary.token.empty()) {
    return FlowFailure{FailureKind::InvalidResponse,
                       "request-token endpoint answered without oauth_token", "", 200};
  }
  if (document->text("oauth_callback_confirmed").value_or("") != "true") {
    return FlowFailure{FailureKind::InvalidResponse,
                       "request-token endpoint did not confirm the callback (OAuth 1.0a)", "",
                       200};
  }
  return temporary;
}

FlowResult<std::string> authorizeUrl(const ProviderSpec& spec, const std::string& request_token,
                                     const std::map<std::string, std::string>& connection_fields) {
  TemplateValues values;
  values.connection = &connection_fields;
  const Filled base = fillUrl(spec.authorize_url, values, "authorize_url");
  if (!base) return FlowFailure{FailureKind::InvalidInput, base.error, "", 0};
  Params params = {{"oauth_token", request_token}};
  for (const auto& [name, text] : spec.authorize_params) {
    const Filled value = fillText(text, values, "authorize_params." + name);
    if (!value) return FlowFailure{FailureKind::InvalidInput, value.error, "", 0};
    params.emplace_back(name, value.value);
  }
  return appendQuery(base.value, params);
}

FlowResult<TokenSet> accessToken(const HttpClient& http, const ProviderSpec& spec,
                                 Provider& hooks, const ClientRegistration& client,
                                 const TemporaryCredentials& temporary,
                                 const std::string& verifier,
                                 const std::map<std::string, std::string>& connection_fields) {
  TemplateValues values;
  values.connection = &connection_fields;
  const Filled url = fillUrl(spec.token_url, values, "token_url");
  if (!url) return FlowFailure{FailureKind::InvalidInput, url.error, "", 0};
  const Oauth1Signature method =
      spec.oauth1 ? spec.oauth1->signature : Oauth1Signature::HmacSha1;
  const Signer signer{method, client.client_id, client.client_secret, temporary.token,
                      temporary.secret};
  const std::string authorization = authorize(
      signer, "POST", url.value, {}, freshRequestValues({{"oauth_verifier", verifier}}));

  const std::string endpoint = "access-token endpoint";
  const HttpResult answer = post(http, url.value, {}, authorization);
  if (!answer) return transportFailure(answer.failure());
  const HttpResponse& response = answer.response();
  if (response.status >= 500 || response.status == 429) return *errorOf(response, endpoint);

  TokenSet tokens;
  std::string hook_error;
  const ResponseView view{response.status, response.headers, response.body};
  switch (hooks.parseTokenResponse(spec, view, tokens, hook_error)) {
    case HookStatus::Done:
      return tokens;
    case HookStatus::Failed:
      return FlowFailure{FailureKind::InvalidResponse,
                         "access-token endpoint: the parseTokenResponse hook refused the answer",
                         "", response.status};
    case HookStatus::Declined:
      break;
  }
  if (auto failure = errorOf(response, endpoint)) return *failure;
  const auto document = ResponseDocument::parse(response.header("Content-Type"), response.body);
  if (!document) return notAForm(endpoint, response.status);
  tokens.access_token = document->text("oauth_token").value_or("");
  tokens.token_secret = document->text("oauth_token_secret").value_or("");
  if (tokens.access_token.empty() || tokens.token_secret.empty()) {
    return FlowFailure{FailureKind::InvalidResponse,
                       endpoint + " answered without oauth_token and oauth_token_secret", "",
                       response.status};
  }
  for (const auto& [name, path] : spec.token_response.capture) {
    if (auto value = document->text(path)) tokens.captured[name] = std::move(*value);
  }
  return tokens;
}

}  // namespace keyhop::flows::oauth1
