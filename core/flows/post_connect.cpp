#include "core/flows/post_connect.hpp"

#include "core/flows/prepared_request.hpp"
#include "core/flows/response_document.hpp"
#include "core/flows/stamp.hpp"
#include "core/flows/templates.hpp"
#include "core/flows/token_response.hpp"

namespace keyhop::flows {

FlowResult<std::map<std::string, std::string>> runPostConnect(const HttpClient& http,
                                                              const ProviderSpec& spec,
                                                              Provider& hooks,
                                                              const ClientRegistration& client,
                                                              const Credentials& credentials) {
  using Fields = std::map<std::string, std::string>;
  if (!spec.post_connect) return Fields{};
  const PostConnectCall& call = spec.post_connect.value();
  const std::string endpoint = "post_connect call";

  const Filled url = fillUrl(call.url, templateValues(credentials), "post_connect.url");
  if (!url) return FlowFailure{FailureKind::InvalidInput, url.error, "", 0};
  PreparedRequest request{call.method, url.value, {{"Accept", "application/json"}}, ""};
  if (auto error = stampRequest(spec, hooks, client, credentials, request)) {
    return FlowFailure{FailureKind::InvalidInput, *error, "", 0};
  }

  const HttpResult answer = http.send(request.view());
  if (!answer) {
    FlowFailure failure = transportFailure(answer.failure());
    failure.message = redact(std::move(failure.message), {credentials.access_token});
    return failure;
  }
  const HttpResponse& response = answer.response();
  const std::string status = "HTTP " + std::to_string(response.status);
  if (response.status >= 500 || response.status == 429) {
    return FlowFailure{FailureKind::Transient, endpoint + " answered " + status, "",
                       response.status};
  }
  if (response.status == 401 || response.status == 403) {
    return FlowFailure{FailureKind::InvalidGrant,
                       endpoint + " answered " + status + ": the new token was refused", "",
                       response.status};
  }
  if (response.status >= 300) {
    return FlowFailure{FailureKind::ProviderError, endpoint + " answered " + status, "",
                       response.status};
  }
  const auto document = ResponseDocument::parse(response.header("Content-Type"), response.body);
  if (!document) {
    return FlowFailure{FailureKind::InvalidResponse,
                       endpoint + " answered a body that is neither JSON nor a form", "",
                       response.status};
  }
  Fields fields;
  for (const auto& [name, path] : call.capture) {
    auto value = document->text(path);
    if (!value || value->empty()) {
      return FlowFailure{FailureKind::InvalidResponse,
                         endpoint + " answered without '" + path + "' (for connection." + name +
                             ")",
                         "", response.status};
    }
    fields[name] = std::move(*value);
  }
  return fields;
}

}  // namespace keyhop::flows
