#include "core/flows/token_request.hpp"

#include <Poco/JSON/Object.h>

#include <sstream>

#include "core/flows/encoding.hpp"

namespace keyhop::flows {

namespace {

std::string jsonBody(const Params& params) {
  Poco::JSON::Object object(Poco::JSON_PRESERVE_KEY_ORDER);
  for (const auto& [name, value] : params) object.set(name, value);
  std::ostringstream out;
  object.stringify(out);
  return out.str();
}

}  // namespace

FlowResult<PreparedRequest> buildTokenRequest(const ProviderSpec& spec,
                                              const ClientRegistration& client,
                                              const std::string& url_template,
                                              std::string_view url_field, Params grant,
                                              const std::map<std::string, std::string>& extra,
                                              std::string_view extra_field,
                                              const TemplateValues& values) {
  const Filled url = fillUrl(url_template, values, url_field);
  if (!url) return FlowFailure{FailureKind::InvalidInput, url.error, "", 0};

  PreparedRequest request;
  request.method = "POST";
  request.url = url.value;
  request.headers.push_back({"Accept", "application/json"});

  Params params = std::move(grant);
  for (const auto& [name, text] : extra) {
    const Filled value = fillText(text, values, std::string(extra_field) + "." + name);
    if (!value) return FlowFailure{FailureKind::InvalidInput, value.error, "", 0};
    params.emplace_back(name, value.value);
  }
  if (spec.token_request.auth == ClientAuth::ClientSecretBasic) {
    const std::string pair = formEncode(client.client_id) + ":" + formEncode(client.client_secret);
    request.headers.push_back({"Authorization", "Basic " + base64(pair)});
  } else {
    params.emplace_back("client_id", client.client_id);
    if (!client.client_secret.empty()) params.emplace_back("client_secret", client.client_secret);
  }

  if (spec.token_request.body == BodyEncoding::Json) {
    request.headers.push_back({"Content-Type", "application/json"});
    request.body = jsonBody(params);
  } else {
    request.headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
    request.body = encodeForm(params);
  }
  return request;
}

}  // namespace keyhop::flows
