#include "core/flows/stamp.hpp"

#include <Poco/String.h>

#include "core/flows/oauth1_signer.hpp"
#include "core/flows/templates.hpp"
#include "core/flows/url_encoding.hpp"
#include "core/registry/declining_provider.hpp"

namespace keyhop::flows {

namespace {

void setHeader(HeaderList& headers, const std::string& name, std::string value) {
  for (auto& header : headers) {
    if (Poco::icompare(header.name, name) == 0) {
      header.value = std::move(value);
      return;
    }
  }
  headers.push_back({name, std::move(value)});
}

std::optional<std::string> hookStamp(const ProviderSpec& spec, Provider& hooks,
                                     const ClientRegistration& client,
                                     const Credentials& credentials, PreparedRequest& request,
                                     bool& handled) {
  // Most providers have no code of their own: asking their hooks would only copy the request.
  static const Provider* const declining = registry::decliningProvider().get();
  if (&hooks == declining) return std::nullopt;
  OutgoingRequest outgoing = request.view();
  const HookStatus status = hooks.stampRequest(spec, client, credentials, outgoing);
  handled = status != HookStatus::Declined;
  if (status == HookStatus::Failed) return "the provider's stampRequest hook refused the request";
  if (status == HookStatus::Done) {
    std::string body(outgoing.body);  // copied before `request.body`, which it may view, changes
    request.method = std::move(outgoing.method);
    request.url = std::move(outgoing.url);
    request.headers = std::move(outgoing.headers);
    request.body = std::move(body);
  }
  return std::nullopt;
}

void signOAuth1(const ProviderSpec& spec, const ClientRegistration& client,
                const Credentials& credentials, PreparedRequest& request) {
  oauth1::Signer signer;
  signer.method = spec.oauth1 ? spec.oauth1->signature : Oauth1Signature::HmacSha1;
  signer.consumer_key = client.client_id;
  signer.consumer_secret = client.client_secret;
  signer.token = credentials.access_token;
  signer.token_secret = credentials.token_secret;
  Params form;
  for (const auto& header : request.headers) {
    if (Poco::icompare(header.name, "Content-Type") == 0 &&
        Poco::toLower(header.value).find("application/x-www-form-urlencoded") == 0) {
      form = parseForm(request.body).value_or(Params{});
    }
  }
  setHeader(
      request.headers, "Authorization",
      oauth1::authorize(signer, request.method, request.url, form, oauth1::freshRequestValues()));
}

}  // namespace

std::optional<std::string> stampRequest(const ProviderSpec& spec, Provider& hooks,
                                        const ClientRegistration& client,
                                        const Credentials& credentials, PreparedRequest& request) {
  bool handled = false;
  if (auto error = hookStamp(spec, hooks, client, credentials, request, handled)) return error;
  if (handled) return std::nullopt;

  const TemplateValues values = templateValues(credentials);
  for (const auto& [name, text] : spec.api.headers) {
    const Filled value = fillText(text, values, "api.headers." + name);
    if (!value) return value.error;
    setHeader(request.headers, name, std::move(value.value));
  }
  if (spec.auth == AuthMode::OAuth1) {
    signOAuth1(spec, client, credentials, request);
    return std::nullopt;
  }
  const Stamp& stamp = spec.api.stamp;
  if (stamp.header.empty() && stamp.query.empty()) return std::nullopt;
  const Filled value = fillText(stamp.format, values, "api.stamp.format");
  if (!value) return value.error;
  if (!stamp.header.empty()) {
    setHeader(request.headers, stamp.header, std::move(value.value));
  } else {
    request.url = appendQuery(request.url, {{stamp.query, value.value}});
  }
  return std::nullopt;
}

}  // namespace keyhop::flows
