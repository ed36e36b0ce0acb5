#include "core/server/provider_json.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <sstream>

namespace keyhop::server {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

std::string render(const Object::Ptr& object) {
  std::ostringstream out;
  object->stringify(out);
  return out.str();
}

Object::Ptr mapObject(const std::map<std::string, std::string>& values) {
  Object::Ptr object = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  for (const auto& [key, value] : values) object->set(key, value);
  return object;
}

template <typename T>
Array::Ptr listArray(const std::vector<T>& values) {
  Array::Ptr array = new Array;
  for (const auto& value : values) array->add(value);
  return array;
}

Object::Ptr summary(const registry::ProviderEntry& provider) {
  Object::Ptr object = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  object->set("id", provider.spec.id);
  object->set("name", provider.spec.name);
  object->set("auth", authModeName(provider.spec.auth));
  object->set("docs", provider.spec.docs);
  object->set("source", provider.library ? "plugin" : "descriptor");
  return object;
}

}  // namespace

std::string authModeName(AuthMode mode) {
  switch (mode) {
    case AuthMode::OAuth2:
      return "oauth2";
    case AuthMode::OAuth2ClientCredentials:
      return "oauth2_cc";
    case AuthMode::OAuth1:
      return "oauth1";
    case AuthMode::ApiKey:
      return "api_key";
    case AuthMode::Basic:
      return "basic";
  }
  return "unknown";
}

std::string providerListJson(const std::vector<const registry::ProviderEntry*>& providers) {
  Array::Ptr list = new Array;
  for (const auto* provider : providers) list->add(summary(*provider));
  Object::Ptr root = new Object;
  root->set("providers", list);
  return render(root);
}

std::string providerDetailJson(const registry::ProviderEntry& provider) {
  const ProviderSpec& spec = provider.spec;
  Object::Ptr object = summary(provider);
  object->set("authorize_url", spec.authorize_url);
  object->set("token_url", spec.token_url);
  object->set("refresh_url", spec.refresh_url.empty() ? spec.token_url : spec.refresh_url);
  object->set("issuer", spec.issuer);

  Object::Ptr scopes = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  scopes->set("default", listArray(spec.scopes.defaults));
  scopes->set("separator", spec.scopes.separator);
  object->set("scopes", scopes);
  object->set("authorize_params", mapObject(spec.authorize_params));
  object->set("token_params", mapObject(spec.token_params));
  object->set("refresh_params", mapObject(spec.refresh_params));

  Object::Ptr token_request = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  token_request->set("auth", spec.token_request.auth == ClientAuth::ClientSecretBasic
                                 ? "client_secret_basic"
                                 : "client_secret_post");
  token_request->set("body", spec.token_request.body == BodyEncoding::Json ? "json" : "form");
  object->set("token_request", token_request);
  object->set("pkce", spec.pkce);
  object->set("callback_capture", listArray(spec.callback_capture));

  const auto& fields = spec.token_response;
  Object::Ptr token_response = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  token_response->set("access_token", fields.access_token);
  token_response->set("refresh_token", fields.refresh_token);
  token_response->set("expires_in", fields.expires_in);
  token_response->set("scope", fields.scope);
  token_response->set("expires_in_unit",
                      fields.expires_in_unit == ExpiresInUnit::Milliseconds ? "ms" : "s");
  if (fields.expires_in_default) {
    token_response->set("expires_in_default", *fields.expires_in_default);
  } else {
    token_response->set("expires_in_default", Poco::Dynamic::Var());
  }
  token_response->set("capture", mapObject(fields.capture));
  object->set("token_response", token_response);

  Object::Ptr refresh = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  refresh->set("rotates_refresh_token", spec.refresh.rotates_refresh_token);
  refresh->set("margin_s", spec.refresh.margin_s);
  refresh->set("keepalive_days", spec.refresh.keepalive_days);
  object->set("refresh", refresh);

  if (spec.post_connect) {
    Object::Ptr post_connect = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    post_connect->set("method", spec.post_connect->method);
    post_connect->set("url", spec.post_connect->url);
    post_connect->set("capture", mapObject(spec.post_connect->capture));
    object->set("post_connect", post_connect);
  }
  if (spec.oauth1) {
    Object::Ptr oauth1 = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    oauth1->set("request_url", spec.oauth1->request_url);
    const char* signature = spec.oauth1->signature == Oauth1Signature::HmacSha256  ? "HMAC-SHA256"
                            : spec.oauth1->signature == Oauth1Signature::Plaintext ? "PLAINTEXT"
                                                                                   : "HMAC-SHA1";
    oauth1->set("signature", signature);
    object->set("oauth1", oauth1);
  }

  Object::Ptr connection_fields = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  for (const auto& field : spec.connection_fields) {
    Object::Ptr entry = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    entry->set("pattern", field.pattern);
    if (field.default_value) entry->set("default", *field.default_value);
    connection_fields->set(field.name, entry);
  }
  object->set("connection_fields", connection_fields);

  Object::Ptr api = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  api->set("base_url", spec.api.base_url);
  if (!spec.api.stamp.header.empty() || !spec.api.stamp.query.empty()) {
    Object::Ptr stamp = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    if (!spec.api.stamp.header.empty()) stamp->set("header", spec.api.stamp.header);
    if (!spec.api.stamp.query.empty()) stamp->set("query", spec.api.stamp.query);
    stamp->set("format", spec.api.stamp.format);
    api->set("stamp", stamp);
  }
  api->set("headers", mapObject(spec.api.headers));
  Object::Ptr auth_failure = new Object;
  auth_failure->set("status", listArray(spec.api.auth_failure_status));
  api->set("auth_failure", auth_failure);
  Object::Ptr rate_limit = new Object;
  rate_limit->set("retry_after", listArray(spec.api.retry_after_headers));
  api->set("rate_limit", rate_limit);
  object->set("api", api);
  return render(object);
}

}  // namespace keyhop::server
