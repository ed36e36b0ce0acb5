#include "core/flows/token_client.hpp"

#include "core/flows/authorize_url.hpp"
#include "core/flows/token_request.hpp"
#include "core/flows/token_response.hpp"

namespace keyhop::flows {

namespace {

// Sends a built request and reads the answer; every message is scrubbed of the secrets the
// request carried.
FlowResult<TokenSet> call(const HttpClient& http, const ProviderSpec& spec, Provider& hooks,
                          FlowResult<PreparedRequest> request,
                          const std::vector<std::string>& secrets) {
  if (!request) return request.failure();
  const HttpResult answer = http.send(request.value().view());
  FlowResult<TokenSet> result =
      answer ? readTokenResponse(spec, hooks, answer.response(), "token endpoint")
             : FlowResult<TokenSet>(transportFailure(answer.failure()));
  if (result) return result;
  FlowFailure failure = result.failure();
  failure.message = redact(std::move(failure.message), secrets);
  return failure;
}

}  // namespace

FlowResult<TokenSet> exchangeCode(const HttpClient& http, const ProviderSpec& spec,
                                  Provider& hooks, const ClientRegistration& client,
                                  const CodeExchange& exchange) {
  TemplateValues values;
  values.connection = &exchange.connection_fields;
  Params grant = {{"grant_type", "authorization_code"},
                  {"code", exchange.code},
                  {"redirect_uri", exchange.redirect_uri}};
  if (!exchange.code_verifier.empty()) grant.emplace_back("code_verifier", exchange.code_verifier);
  return call(http, spec, hooks,
              buildTokenRequest(spec, client, spec.token_url, "token_url", std::move(grant),
                                spec.token_params, "token_params", values),
              {exchange.code, exchange.code_verifier, client.client_secret});
}

FlowResult<TokenSet> refreshTokens(const HttpClient& http, const ProviderSpec& spec,
                                   Provider& hooks, const ClientRegistration& client,
                                   const Credentials& current) {
  const TemplateValues values = templateValues(current);
  const bool own_url = !spec.refresh_url.empty();
  Params grant = {{"grant_type", "refresh_token"}, {"refresh_token", current.refresh_token}};
  FlowResult<TokenSet> result = call(
      http, spec, hooks,
      buildTokenRequest(spec, client, own_url ? spec.refresh_url : spec.token_url,
                        own_url ? "refresh_url" : "token_url", std::move(grant),
                        spec.refresh_params, "refresh_params", values),
      {current.refresh_token, current.access_token, client.client_secret});
  if (!result) return result;
  TokenSet& tokens = result.value();
  if (tokens.refresh_token.empty()) tokens.refresh_token = current.refresh_token;
  for (const auto& [name, value] : current.captured) tokens.captured.emplace(name, value);
  return result;
}

FlowResult<TokenSet> fetchClientCredentials(
    const HttpClient& http, const ProviderSpec& spec, Provider& hooks,
    const ClientRegistration& client, const std::vector<std::string>& scopes,
    const std::map<std::string, std::string>& connection_fields) {
  TemplateValues values;
  values.connection = &connection_fields;
  Params grant = {{"grant_type", "client_credentials"}};
  const std::string scope = joinScopes(spec, scopes);
  if (!scope.empty()) grant.emplace_back("scope", scope);
  return call(http, spec, hooks,
              buildTokenRequest(spec, client, spec.token_url, "token_url", std::move(grant),
                                spec.token_params, "token_params", values),
              {client.client_secret});
}

}  // namespace keyhop::flows
