#include "core/flows/authorization.hpp"

#include <Poco/URI.h>

#include <algorithm>
#include <ctime>

#include "core/flows/authorize_url.hpp"
#include "core/flows/connection_fields.hpp"
#include "core/flows/oauth1_flow.hpp"
#include "core/flows/pkce.hpp"
#include "core/flows/post_connect.hpp"
#include "core/flows/templates.hpp"
#include "core/flows/token_client.hpp"
#include "core/flows/token_credentials.hpp"
#include "core/flows/url_encoding.hpp"

namespace keyhop::flows {
namespace {

using Fields = std::map<std::string, std::string>;

// Provider-sent text is echoed on keyhop's page and in the return URL: only this much of it.
constexpr std::size_t kMaxEchoedBytes = 200;
constexpr std::size_t kMaxCapturedBytes = 256;

std::int64_t unixNow() { return static_cast<std::int64_t>(std::time(nullptr)); }

ConnectError failureError(const FlowFailure& failure) {
  switch (failure.kind) {
    case FailureKind::InvalidGrant:
      return {400, "invalid_grant", failure.message};
    case FailureKind::InvalidClient:
      return {400, "invalid_client",
              failure.message + "; check the integration's client id and secret"};
    case FailureKind::ProviderError:
      return {502, "provider_error", failure.message};
    case FailureKind::Transient:
      return {503, "provider_temporarily_unavailable", failure.message + "; try again later"};
    case FailureKind::InvalidResponse:
      return {502, "invalid_provider_response", failure.message};
    case FailureKind::InvalidInput:
      return {400, "invalid_connection_fields", failure.message};
  }
  return {502, "provider_error", failure.message};
}

bool isPrintableAscii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

// A provider's error code and description, fit to be shown: printable and short.
std::string echoed(std::string_view text) {
  if (!isPrintableAscii(text)) return "(unprintable)";
  return std::string(text.substr(0, kMaxEchoedBytes));
}

ConnectError providerDenied(const std::optional<std::string>& error,
                            const std::optional<std::string>& description) {
  const std::string code = error ? echoed(*error) : "access_denied";
  if (code == "access_denied") {
    return {400, "access_denied", "the user did not authorize the connection at the provider"};
  }
  std::string message = "the provider answered error=" + code;
  if (description && !description->empty()) message += ": " + echoed(*description);
  return {400, "provider_error", message};
}

ConnectError invalidCallback(std::string message) {
  return {400, "invalid_callback", std::move(message)};
}

std::string originOf(const std::string& url) {
  try {
    const Poco::URI uri(url);
    if (uri.getScheme().empty() || uri.getHost().empty()) return "";
    std::string origin = uri.getScheme() + "://" + uri.getAuthority();
    const auto at = origin.find('@');
    if (at != std::string::npos) origin = uri.getScheme() + "://" + origin.substr(at + 1);
    return origin;
  } catch (const Poco::Exception&) {
    return "";
  }
}

struct Target {
  store::Integration integration;
  const registry::ProviderEntry* provider = nullptr;
};

std::optional<Target> findTarget(const AuthorizationServices& services,
                                 const std::string& account_id, const std::string& integration_id,
                                 ConnectError& error) {
  auto integration = services.store.findIntegrationById(account_id, integration_id);
  if (!integration) {
    error = {404, "integration_not_found", "the integration was deleted during the authorization"};
    return std::nullopt;
  }
  const auto* provider = services.providers.find(integration->info.provider);
  if (!provider) {
    error = {409, "provider_unavailable",
             "integration " + integration->info.name + " uses provider " +
                 integration->info.provider + ", which is not in the loaded catalog"};
    return std::nullopt;
  }
  if (provider->spec.auth != AuthMode::OAuth2 && provider->spec.auth != AuthMode::OAuth1) {
    error = {400, "unsupported_auth",
             "provider " + provider->spec.id +
                 " needs no browser authorization; create the connection with POST "
                 "/v1/connections"};
    return std::nullopt;
  }
  return Target{std::move(*integration), provider};
}

ClientRegistration clientOf(const store::Integration& integration) {
  return {integration.info.client_id, integration.client_secret};
}

BeginOutcome failedBegin(ConnectError error) { return {"", std::move(error)}; }

// What one authorization keeps beside the session's own fields until its callback.
struct InFlight {
  std::string secret;  // the PKCE verifier, or OAuth 1.0a's temporary secret
  std::string redirect_uri;
  std::string request_token;  // OAuth 1.0a
};

// The state goes in last, once everything it refers to exists: a failure before leaves nothing.
BeginOutcome storeState(const AuthorizationServices& services, const store::ConnectSession& session,
                        std::string state, InFlight in_flight, std::string authorize_url) {
  store::OAuthState stored;
  stored.account_id = session.account_id;
  stored.integration_id = session.integration_id;
  stored.user_id = session.user_id;
  stored.code_verifier = std::move(in_flight.secret);
  stored.redirect_uri = std::move(in_flight.redirect_uri);
  stored.return_url = session.return_url;
  stored.connection_fields = session.connection_fields;
  stored.expires_at = unixNow() + services.state_ttl.count();
  stored.request_token = std::move(in_flight.request_token);
  if (!services.store.createOAuthState(std::move(state), stored)) {
    return failedBegin({404, "integration_not_found", "the integration was just deleted"});
  }
  return {std::move(authorize_url), std::nullopt};
}

BeginOutcome beginOAuth2(const AuthorizationServices& services, const Target& target,
                         const store::ConnectSession& session) {
  const ProviderSpec& spec = target.provider->spec;
  const Pkce pkce = spec.pkce ? makePkce() : Pkce{};
  std::string state = store::newOAuthStateToken();
  AuthorizeRequest request;
  request.client.client_id = target.integration.info.client_id;
  request.redirect_uri = services.callback_url;
  request.state = state;
  request.scopes = target.integration.info.scopes;
  request.code_challenge = pkce.challenge;
  request.connection_fields = session.connection_fields;
  auto url = buildAuthorizeUrl(spec, *target.provider->hooks, request);
  if (!url) return failedBegin(failureError(url.failure()));

  return storeState(services, session, std::move(state), {pkce.verifier, services.callback_url, ""},
                    std::move(url.value()));
}

// The callback URL registered with the temporary credentials carries the state: OAuth 1.0a
// has no state parameter of its own.
BeginOutcome beginOAuth1(const AuthorizationServices& services, const Target& target,
                         const store::ConnectSession& session) {
  const ProviderSpec& spec = target.provider->spec;
  std::string state = store::newOAuthStateToken();
  const std::string callback = appendQuery(services.callback_url, {{"state", state}});
  auto temporary = oauth1::requestToken(services.http, spec, clientOf(target.integration), callback,
                                        session.connection_fields);
  if (!temporary) return failedBegin(failureError(temporary.failure()));
  auto url = oauth1::authorizeUrl(spec, temporary.value().token, session.connection_fields);
  if (!url) return failedBegin(failureError(url.failure()));

  return storeState(services, session, std::move(state),
                    {temporary.value().secret, callback, temporary.value().token},
                    std::move(url.value()));
}

// RFC 9207: a callback that names its issuer must name the one the descriptor expects, or the
// code may come from another authorization server (a mix-up attack).
std::optional<ConnectError> issuerProblem(const ProviderSpec& spec, const QueryLookup& query,
                                          const Fields& fields) {
  const auto iss = query("iss");
  if (!iss || spec.issuer.empty()) return std::nullopt;
  TemplateValues values;
  values.connection = &fields;
  const Filled expected = fillUrl(spec.issuer, values, "issuer");
  if (!expected || *iss != expected.value) {
    return ConnectError{400, "issuer_mismatch",
                        "the callback's iss does not name provider " + spec.id +
                            "'s issuer: the authorization response may come from another server"};
  }
  return std::nullopt;
}

// callback_capture values join the connection fields: printable and short, as they end up in
// URL templates (where they are encoded or held to a strict host name).
std::optional<ConnectError> captureCallback(const ProviderSpec& spec, const QueryLookup& query,
                                            Fields& fields) {
  for (const auto& name : spec.callback_capture) {
    auto value = query(name);
    if (!value) continue;
    if (value->empty() || value->size() > kMaxCapturedBytes || !isPrintableAscii(*value)) {
      return invalidCallback("the callback's " + name + " is empty, too long or unprintable");
    }
    fields[name] = std::move(*value);
  }
  return std::nullopt;
}

// What the callback grants: OAuth2's code, or OAuth 1.0a's verifier for the temporary token
// this authorization started with.
std::optional<std::string> readGrant(const ProviderSpec& spec, const store::OAuthState& state,
                                     const QueryLookup& query, ConnectError& error) {
  if (spec.auth != AuthMode::OAuth1) {
    auto code = query("code");
    if (!code || code->empty()) error = invalidCallback("the callback carries no code");
    return code && !code->empty() ? code : std::nullopt;
  }
  const auto token = query("oauth_token");
  auto verifier = query("oauth_verifier");
  if (!token || !verifier || verifier->empty()) {
    error = invalidCallback("the callback carries no oauth_token or oauth_verifier");
    return std::nullopt;
  }
  if (*token != state.request_token) {
    error = invalidCallback(
        "the callback's oauth_token is not the one this authorization started with");
    return std::nullopt;
  }
  return verifier;
}

FlowResult<TokenSet> exchangeGrant(const AuthorizationServices& services, const Target& target,
                                   const store::OAuthState& state, const std::string& grant,
                                   const Fields& fields) {
  const ProviderSpec& spec = target.provider->spec;
  if (spec.auth == AuthMode::OAuth1) {
    return oauth1::accessToken(services.http, spec, *target.provider->hooks,
                               clientOf(target.integration),
                               {state.request_token, state.code_verifier}, grant, fields);
  }
  return exchangeCode(services.http, spec, *target.provider->hooks, clientOf(target.integration),
                      {grant, state.redirect_uri, state.code_verifier, fields});
}

}  // namespace

BeginOutcome beginAuthorization(const AuthorizationServices& services,
                                std::string_view integration_name, std::string_view session_token) {
  const auto session = services.store.consumeConnectSession(session_token);
  if (!session) {
    return failedBegin({400, "invalid_session",
                        "the connect session is unknown, expired or already used; mint a new one "
                        "with POST /v1/connect-sessions"});
  }
  ConnectError error;
  const auto target = findTarget(services, session->account_id, session->integration_id, error);
  if (!target) return failedBegin(std::move(error));
  if (target->integration.info.name != integration_name) {
    return failedBegin({400, "session_mismatch",
                        "this connect session is for another integration; use its connect_url"});
  }
  if (auto problem = connectionFieldsProblem(target->provider->spec, session->connection_fields)) {
    return failedBegin({400, "invalid_connection_fields", *problem});
  }
  return target->provider->spec.auth == AuthMode::OAuth1 ? beginOAuth1(services, *target, *session)
                                                         : beginOAuth2(services, *target, *session);
}

CompleteOutcome completeAuthorization(const AuthorizationServices& services,
                                      const QueryLookup& query) {
  CompleteOutcome outcome;
  const auto fail = [&outcome](ConnectError error) {
    outcome.error = std::move(error);
    return outcome;
  };
  const auto state_token = query("state");
  if (!state_token || state_token->empty()) {
    return fail({400, "invalid_state", "the callback carries no state"});
  }
  const auto state = services.store.consumeOAuthState(*state_token);
  if (!state) {
    return fail({400, "invalid_state",
                 "the authorization state is unknown, expired or already used; start again from "
                 "a new connect session"});
  }
  ConnectError error;
  const auto target = findTarget(services, state->account_id, state->integration_id, error);
  if (!target) return fail(std::move(error));
  const store::IntegrationInfo& info = target->integration.info;
  const ProviderSpec& spec = target->provider->spec;
  outcome.integration = info.name;
  outcome.user_id = state->user_id;
  for (const auto& url : info.allowed_return_urls) {
    const std::string origin = originOf(url);
    if (!origin.empty() && std::find(outcome.opener_origins.begin(), outcome.opener_origins.end(),
                                     origin) == outcome.opener_origins.end()) {
      outcome.opener_origins.push_back(origin);
    }
  }
  // The allowed list may have changed since the session was minted: it is checked again.
  if (std::find(info.allowed_return_urls.begin(), info.allowed_return_urls.end(),
                state->return_url) != info.allowed_return_urls.end()) {
    outcome.return_url = state->return_url;
  }

  const bool oauth1 = spec.auth == AuthMode::OAuth1;
  const auto denied = oauth1 ? query("denied") : query("error");
  if (denied)
    return fail(providerDenied(oauth1 ? std::nullopt : denied, query("error_description")));
  Fields fields = state->connection_fields;
  if (auto problem = issuerProblem(spec, query, fields)) return fail(std::move(*problem));
  if (auto problem = captureCallback(spec, query, fields)) return fail(std::move(*problem));

  const auto grant = readGrant(spec, *state, query, error);
  if (!grant) return fail(std::move(error));
  auto tokens = exchangeGrant(services, *target, *state, *grant, fields);
  if (!tokens) return fail(failureError(tokens.failure()));
  Credentials credentials = credentialsFromTokens(tokens.value(), unixNow(), fields);
  auto discovered = runPostConnect(services.http, spec, *target->provider->hooks,
                                   clientOf(target->integration), credentials);
  if (!discovered) return fail(failureError(discovered.failure()));
  for (auto& [name, value] : discovered.value()) credentials.connection_fields[name] = value;

  store::ConnectionKey key{state->account_id, state->integration_id, state->user_id};
  auto upserted = services.store.upsertConnection({key, std::move(credentials), ""});
  if (!upserted) {
    return fail(
        {404, "integration_not_found", "the integration was deleted during the authorization"});
  }
  outcome.connection_id = upserted.value->info.id;
  outcome.connection = std::move(key);
  outcome.created = upserted.value->created;
  return outcome;
}

}  // namespace keyhop::flows
