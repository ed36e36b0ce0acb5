#include "core/flows/stamp.hpp"

#include <Poco/String.h>

#include <algorithm>

#include "core/flows/http_text.hpp"
#include "core/flows/oauth1_signer.hpp"
#include "core/flows/templates.hpp"
#include "core/flows/url_encoding.hpp"
#include "core/registry/declining_provider.hpp"

namespace keyhop::flows {

namespace {

// The last value set for a name wins: api.stamp after api.headers.
void setHeader(HeaderList& headers, const std::string& name, std::string value) {
  for (auto& header : headers) {
    if (equalsIgnoreCase(header.name, name)) {
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
  if (!stampsWithHook(hooks)) return std::nullopt;
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

// The request's Content-Type as it will be sent: api.headers' replaces the caller's.
std::string_view contentType(const StampInput& request, const HeaderList& stamped) {
  for (const HeaderList* headers : {&stamped, &request.headers}) {
    for (const auto& header : *headers) {
      if (equalsIgnoreCase(header.name, "Content-Type")) return header.value;
    }
  }
  return {};
}

std::string oauth1Authorization(const ProviderSpec& spec, const ClientRegistration& client,
                                const Credentials& credentials, const StampInput& request,
                                const HeaderList& stamped) {
  oauth1::Signer signer;
  signer.method = spec.oauth1 ? spec.oauth1->signature : Oauth1Signature::HmacSha1;
  signer.consumer_key = client.client_id;
  signer.consumer_secret = client.client_secret;
  signer.token = credentials.access_token;
  signer.token_secret = credentials.token_secret;
  Params form;
  if (Poco::toLower(std::string(contentType(request, stamped)))
          .rfind("application/x-www-form-urlencoded", 0) == 0) {
    form = parseForm(request.body).value_or(Params{});
  }
  std::string url;
  url.reserve(request.url_base.size() + request.url_rest.size());
  url.append(request.url_base).append(request.url_rest);
  return oauth1::authorize(signer, request.method, url, form, oauth1::freshRequestValues());
}

}  // namespace

bool stampsWithHook(const Provider& hooks) {
  // Most providers have no code of their own: asking their hooks would only copy the request.
  static const Provider* const declining = registry::decliningProvider().get();
  return &hooks != declining;
}

std::optional<std::string> descriptorStamp(const ProviderSpec& spec,
                                           const ClientRegistration& client,
                                           const Credentials& credentials,
                                           const StampInput& request, StampEdits& edits) {
  const TemplateValues values = templateValues(credentials);
  for (const auto& [name, text] : spec.api.headers) {
    // Most are fixed (an API version, a media type): no field name is built for them.
    Filled value = text.find("${") == std::string::npos
                       ? Filled{text, {}}
                       : fillText(text, values, "api.headers." + name);
    if (!value) return value.error;
    setHeader(edits.headers, name, std::move(value.value));
  }
  if (spec.auth == AuthMode::OAuth1) {
    setHeader(edits.headers, "Authorization",
              oauth1Authorization(spec, client, credentials, request, edits.headers));
    return std::nullopt;
  }
  const Stamp& stamp = spec.api.stamp;
  if (stamp.header.empty() && stamp.query.empty()) return std::nullopt;
  Filled value = fillText(stamp.format, values, "api.stamp.format");
  if (!value) return value.error;
  if (!stamp.header.empty()) {
    setHeader(edits.headers, stamp.header, std::move(value.value));
  } else {
    edits.query.emplace(stamp.query, std::move(value.value));
  }
  return std::nullopt;
}

std::optional<std::string> stampRequest(const ProviderSpec& spec, Provider& hooks,
                                        const ClientRegistration& client,
                                        const Credentials& credentials, PreparedRequest& request) {
  bool handled = false;
  if (auto error = hookStamp(spec, hooks, client, credentials, request, handled)) return error;
  if (handled) return std::nullopt;

  StampEdits edits;
  const StampInput input{request.method, request.url, {}, request.headers, request.body};
  if (auto error = descriptorStamp(spec, client, credentials, input, edits)) return error;
  for (auto& stamped : edits.headers) {
    auto& headers = request.headers;
    headers.erase(std::remove_if(headers.begin(), headers.end(),
                                 [&](const Header& header) {
                                   return equalsIgnoreCase(header.name, stamped.name);
                                 }),
                  headers.end());
    headers.push_back(std::move(stamped));
  }
  if (edits.query) request.url = appendQuery(request.url, {*std::move(edits.query)});
  return std::nullopt;
}

}  // namespace keyhop::flows
