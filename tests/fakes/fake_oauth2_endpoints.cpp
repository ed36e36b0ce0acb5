// OAuth2: the authorize endpoint (RFC 6749 4.1.1, RFC 7636) and the token endpoint (RFC 6749
// 4.1.3, 6, 4.4), with the response quirks real providers have.

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/String.h>

#include <algorithm>
#include <sstream>

#include "tests/fakes/fake_endpoints.hpp"

namespace keyhop::fakes {

namespace {

const Client* findClient(const Options& options, const std::string& id) {
  for (const auto& client : options.clients) {
    if (client.id == id) return &client;
  }
  return nullptr;
}

bool answersInForm(const Exchange& exchange, const Options& options) {
  switch (options.response_format) {
    case ResponseFormat::Json:
      return false;
    case ResponseFormat::Form:
      return true;
    case ResponseFormat::FormUnlessAcceptJson:
      return Poco::toLower(exchange.request.get("Accept", "")).find("application/json") ==
             std::string::npos;
  }
  return false;
}

// A dotted path nests objects: "team.id" -> {"team":{"id":value}}.
void setPath(Poco::JSON::Object& object, const std::string& path, const Poco::Dynamic::Var& value) {
  const std::size_t dot = path.find('.');
  if (dot == std::string::npos) {
    object.set(path, value);
    return;
  }
  const std::string head = path.substr(0, dot);
  if (!object.isObject(head)) {
    object.set(head,
               Poco::JSON::Object::Ptr(new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER)));
  }
  setPath(*object.getObject(head), path.substr(dot + 1), value);
}

using Fields = std::vector<std::pair<std::string, Poco::Dynamic::Var>>;

void sendFields(Exchange& exchange, const Options& options, int status, const Fields& fields) {
  if (answersInForm(exchange, options)) {
    FormParams form;
    for (const auto& [path, value] : fields) form.emplace_back(path, value.toString());
    sendBody(exchange, status, "application/x-www-form-urlencoded", encodeForm(form));
    return;
  }
  Poco::JSON::Object object(Poco::JSON_PRESERVE_KEY_ORDER);
  for (const auto& [path, value] : fields) setPath(object, path, value);
  std::ostringstream out;
  object.stringify(out);
  sendBody(exchange, status, "application/json", out.str());
}

void sendError(FakeState& state, Exchange& exchange, const Options& options,
               const OAuthError& error, const HeaderList& headers = {}) {
  state.count([](Counters& c) { ++c.token_errors; });
  Fields fields;
  if (options.slack_style) {
    fields = {{"ok", false}, {"error", error.code}};
  } else {
    fields = {{"error", error.code}, {"error_description", error.description}};
  }
  const int status = options.slack_style || options.token_errors_as_200 ? 200 : error.status;
  if (answersInForm(exchange, options)) {
    FormParams form;
    for (const auto& [name, value] : fields) form.emplace_back(name, value.toString());
    sendBody(exchange, status, "application/x-www-form-urlencoded", encodeForm(form), headers);
    return;
  }
  Poco::JSON::Object object(Poco::JSON_PRESERVE_KEY_ORDER);
  for (const auto& [name, value] : fields) object.set(name, value);
  std::ostringstream out;
  object.stringify(out);
  sendBody(exchange, status, "application/json", out.str(), headers);
}

void sendTokens(Exchange& exchange, const Options& options, const IssuedTokens& tokens) {
  const std::string prefix =
      options.nest_tokens_under.empty() ? "" : options.nest_tokens_under + ".";
  const auto at = [&](const std::string& name) {
    const auto path = options.token_field_paths.find(name);
    return path == options.token_field_paths.end() ? prefix + name : path->second;
  };
  Fields fields;
  if (options.slack_style) fields.emplace_back("ok", true);
  fields.emplace_back(at("access_token"), tokens.access_token);
  fields.emplace_back(at("token_type"), "Bearer");
  if (tokens.expires_in && !options.omit_expires_in) {
    const auto seconds = static_cast<Poco::Int64>(tokens.expires_in->count());
    fields.emplace_back(at("expires_in"), options.expires_in_ms ? seconds * 1000 : seconds);
  }
  if (!tokens.refresh_token.empty()) fields.emplace_back(at("refresh_token"), tokens.refresh_token);
  if (!tokens.scope.empty()) fields.emplace_back(at("scope"), tokens.scope);
  for (const auto& extra : options.extra_fields) fields.emplace_back(extra.path, extra.value);
  sendFields(exchange, options, 200, fields);
}

// The token request's parameters from a form or a JSON object body (values as text).
std::optional<FormParams> tokenParams(const Exchange& exchange, bool& json) {
  json = mediaType(exchange) == "application/json";
  if (!json) return parseForm(exchange.body);
  try {
    const auto parsed = Poco::JSON::Parser().parse(exchange.body);
    const auto object = parsed.extract<Poco::JSON::Object::Ptr>();
    FormParams params;
    for (const auto& [name, value] : *object) params.emplace_back(name, value.toString());
    return params;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

struct ClientCheck {
  const Client* client = nullptr;
  OAuthError error;
  bool used_basic = false;
};

// RFC 6749 2.3.1: Basic credentials are form-encoded before base64, or the secret in the body.
ClientCheck authenticateClient(const Exchange& exchange, const Options& options,
                               const FormParams& params) {
  ClientCheck check;
  std::optional<std::string> id;
  std::optional<std::string> secret;
  if (auto basic = parseBasicCredentials(exchange.request.get("Authorization", ""))) {
    check.used_basic = true;
    id = percentDecode(basic->first, true);
    secret = percentDecode(basic->second, true);
    if (!id || !secret) {
      check.error = {401, "invalid_client", "malformed Basic credentials"};
      return check;
    }
  } else {
    id = findParam(params, "client_id");
    secret = findParam(params, "client_secret");
  }
  if (!id) {
    check.error = {401, "invalid_client", "no client authentication"};
    return check;
  }
  const Client* client = findClient(options, *id);
  if (client == nullptr) {
    check.error = {401, "invalid_client", "unknown client_id"};
    return check;
  }
  if (!client->secret.empty()) {
    if (check.used_basic && options.client_auth == ClientAuth::Post) {
      check.error = {401, "invalid_client", "this provider wants client_secret_post"};
      return check;
    }
    if (!check.used_basic && options.client_auth == ClientAuth::Basic) {
      check.error = {401, "invalid_client", "this provider wants client_secret_basic"};
      return check;
    }
    if (secret != client->secret) {
      check.error = {401, "invalid_client", "wrong client secret"};
      return check;
    }
  }
  check.client = client;
  return check;
}

void countGrant(FakeState& state, const std::optional<std::string>& grant_type) {
  state.count([&](Counters& c) {
    ++c.token_requests;
    if (grant_type == "authorization_code") ++c.code_exchanges;
    if (grant_type == "refresh_token") ++c.refreshes;
    if (grant_type == "client_credentials") ++c.client_credentials;
  });
}

}  // namespace

void handleAuthorize(FakeState& state, Exchange& exchange) {
  const Options& options = exchange.options;
  state.count([](Counters& c) { ++c.authorize; });
  if (answerInjected(state, exchange, Endpoint::Authorize)) return;
  const auto params = parseForm(exchange.query);
  if (!params) return sendBody(exchange, 400, "text/plain", "malformed query\n");

  // Before the redirect URI is trusted, errors are a page: never a redirect (RFC 6749 4.1.2.1).
  const Client* client = findClient(options, findParam(*params, "client_id").value_or(""));
  if (client == nullptr) return sendBody(exchange, 400, "text/plain", "unknown client_id\n");
  auto redirect_uri = findParam(*params, "redirect_uri");
  const auto& registered = client->redirect_uris;
  if (!redirect_uri && registered.size() == 1) redirect_uri = registered.front();
  if (!redirect_uri) return sendBody(exchange, 400, "text/plain", "redirect_uri is missing\n");
  if (!registered.empty() &&
      std::find(registered.begin(), registered.end(), *redirect_uri) == registered.end()) {
    return sendBody(exchange, 400, "text/plain", "redirect_uri is not registered\n");
  }

  FormParams callback;
  const auto state_param = findParam(*params, "state");
  const auto fail = [&](const std::string& code, const std::string& description) {
    callback = {{"error", code}, {"error_description", description}};
    if (state_param) callback.emplace_back("state", *state_param);
    for (const auto& extra : options.callback_params) callback.push_back(extra);
    sendRedirect(exchange, withQuery(*redirect_uri, callback));
  };
  if (findParam(*params, "response_type") != "code") {
    return fail("unsupported_response_type", "only response_type=code");
  }
  const std::string challenge = findParam(*params, "code_challenge").value_or("");
  const std::string method = findParam(*params, "code_challenge_method").value_or("plain");
  if (!challenge.empty() && options.pkce == PkcePolicy::Rejected) {
    return fail("invalid_request", "PKCE is not supported");
  }
  if (challenge.empty() && options.pkce == PkcePolicy::Required) {
    return fail("invalid_request", "code_challenge is required");
  }
  if (!challenge.empty() && method != "S256" && method != "plain") {
    return fail("invalid_request", "unsupported code_challenge_method");
  }
  if (options.deny) return fail("access_denied", "the user denied access");

  CodeRequest request{client->id,   findParam(*params, "redirect_uri"),      challenge, method,
                      options.user, findParam(*params, "scope").value_or("")};
  callback = {{"code", state.issueCode(std::move(request))}};
  if (state_param) callback.emplace_back("state", *state_param);
  for (const auto& extra : options.callback_params) callback.push_back(extra);
  sendRedirect(exchange, withQuery(*redirect_uri, callback));
}

void handleToken(FakeState& state, Exchange& exchange) {
  const Options& options = exchange.options;
  bool json = false;
  const auto params = tokenParams(exchange, json);
  const auto grant_type = params ? findParam(*params, "grant_type") : std::nullopt;
  countGrant(state, grant_type);
  if (answerInjected(state, exchange, Endpoint::Token)) return;
  if (options.garbage_token_body) {
    return sendBody(exchange, 200, "text/html", "<html><body>Service Unavailable</bo");
  }
  if (exchange.request.getMethod() != "POST") {
    return sendError(state, exchange, options, {405, "invalid_request", "POST only"});
  }
  if (!params) {
    return sendError(state, exchange, options, {400, "invalid_request", "unreadable body"});
  }
  if ((json && options.token_body == BodyFormat::Form) ||
      (!json && options.token_body == BodyFormat::Json)) {
    return sendError(state, exchange, options,
                     {400, "invalid_request", "unsupported request body format"});
  }
  const ClientCheck client = authenticateClient(exchange, options, *params);
  if (client.client == nullptr) {
    HeaderList headers;
    if (client.used_basic) headers.push_back({"WWW-Authenticate", "Basic realm=\"fake\""});
    return sendError(state, exchange, options, client.error, headers);
  }

  GrantResult result;
  if (grant_type == "authorization_code") {
    const auto code = findParam(*params, "code");
    if (!code) return sendError(state, exchange, options, {400, "invalid_request", "no code"});
    result = state.redeemCode(*code, client.client->id, findParam(*params, "redirect_uri"),
                              findParam(*params, "code_verifier"));
  } else if (grant_type == "refresh_token") {
    const auto token = findParam(*params, "refresh_token");
    if (!token) {
      return sendError(state, exchange, options, {400, "invalid_request", "no refresh_token"});
    }
    result = state.refresh(*token, client.client->id);
  } else if (grant_type == "client_credentials") {
    result = state.clientCredentials(client.client->id, findParam(*params, "scope").value_or(""));
  } else {
    result.error = {400, "unsupported_grant_type", "grant_type is missing or unsupported"};
  }
  if (!result.tokens) return sendError(state, exchange, options, result.error);
  sendTokens(exchange, options, *result.tokens);
}

}  // namespace keyhop::fakes
