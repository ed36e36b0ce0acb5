#include "core/flows/authorize_url.hpp"

#include "core/flows/templates.hpp"
#include "core/flows/url_encoding.hpp"

namespace keyhop::flows {

std::string joinScopes(const ProviderSpec& spec, const std::vector<std::string>& requested) {
  const auto& scopes = requested.empty() ? spec.scopes.defaults : requested;
  std::string joined;
  for (const auto& scope : scopes) {
    if (!joined.empty()) joined += spec.scopes.separator;
    joined += scope;
  }
  return joined;
}

FlowResult<std::string> buildAuthorizeUrl(const ProviderSpec& spec, Provider& hooks,
                                          const AuthorizeRequest& request) {
  std::string hooked;
  switch (hooks.buildAuthorizeUrl(spec, request, hooked)) {
    case HookStatus::Done:
      return hooked;
    case HookStatus::Failed:
      return FlowFailure{FailureKind::InvalidInput,
                         "the provider's buildAuthorizeUrl hook could not build the URL", "", 0};
    case HookStatus::Declined:
      break;
  }

  TemplateValues values;
  values.connection = &request.connection_fields;
  const Filled base = fillUrl(spec.authorize_url, values, "authorize_url");
  if (!base) return FlowFailure{FailureKind::InvalidInput, base.error, "", 0};

  Params params = {{"response_type", "code"},
                   {"client_id", request.client.client_id},
                   {"redirect_uri", request.redirect_uri},
                   {"state", request.state}};
  const std::string scope = joinScopes(spec, request.scopes);
  if (!scope.empty()) params.emplace_back("scope", scope);
  if (!request.code_challenge.empty()) {
    params.emplace_back("code_challenge", request.code_challenge);
    params.emplace_back("code_challenge_method", "S256");
  }
  for (const auto& [name, text] : spec.authorize_params) {
    const Filled value = fillText(text, values, "authorize_params." + name);
    if (!value) return FlowFailure{FailureKind::InvalidInput, value.error, "", 0};
    params.emplace_back(name, value.value);
  }
  return appendQuery(base.value, params);
}

}  // namespace keyhop::flows
