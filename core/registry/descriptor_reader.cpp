#include "core/registry/descriptor_reader.hpp"

#include <cstdint>
#include <limits>
#include <map>
#include <regex>
#include <string_view>
#include <utility>
#include <vector>

#include "core/registry/descriptor_keys.hpp"
#include "core/registry/descriptor_syntax.hpp"
#include "core/registry/placeholder_scope.hpp"
#include "core/registry/template_check.hpp"
#include "core/registry/url_check.hpp"

namespace keyhop::registry {

namespace {

using yaml::CheckedMap;
using yaml::Entry;
using yaml::Problems;
using yaml::Scalar;

constexpr std::int64_t kNoLimit = std::numeric_limits<std::int64_t>::max();

std::vector<std::string> keysFor(AuthMode mode) {
  std::vector<std::string> names;
  for (const TopLevelKey& key : topLevelKeys()) {
    if ((key.applies & modeBit(mode)) != 0) names.emplace_back(key.name);
  }
  return names;
}

struct TemplateUse {
  Scalar value;
  std::string field;
  Known known;
};

class Reader final {
 public:
  explicit Reader(Problems& problems) : problems_(problems) {}

  ProviderSpec read(const YAML::Node& root, const std::optional<std::string>& expected_id);

 private:
  void readIdentity(const CheckedMap& top, const std::optional<std::string>& expected_id);
  void readAuth(const CheckedMap& top);
  void checkKeysForMode(const CheckedMap& top);
  void readEndpoints(const CheckedMap& top);
  void readScopes(const Entry& entry);
  std::map<std::string, std::string> readParams(const Entry& entry, Known known);
  void readTokenRequest(const Entry& entry);
  void readCallbackCapture(const Entry& entry);
  void readTokenResponse(const Entry& entry);
  void readRefresh(const Entry& entry);
  void readPostConnect(const Entry& entry);
  void readOauth1(const Entry& entry);
  void readConnectionFields(const Entry& entry);
  void readConnectionField(const Entry& field);
  std::optional<std::regex> readPattern(const Entry& entry, std::string& pattern);
  void readApi(const Entry& entry);
  void readStamp(const Entry& entry);
  void applyDefaultStamp();
  void checkTemplates();

  std::optional<std::string> readUrl(const Entry& entry, Known known,
                                     bool may_start_with_credentials = false);
  std::optional<std::string> readDottedPath(const Entry& entry);
  void readCaptures(const Entry& entry, const std::string& prefix,
                    std::map<std::string, std::string>& captures);
  void define(const std::string& name, const std::string& origin, const YAML::Mark& at);
  void useTemplate(const Scalar& value, std::string field, Known known);
  void checkHeaderName(const Scalar& name, const std::string& where);

  Problems& problems_;
  ProviderSpec spec_;
  std::optional<AuthMode> mode_;  // empty when `auth` is missing or invalid
  YAML::Mark auth_mark_;
  std::optional<PlaceholderScope> placeholders_;  // set once the mode is known
  std::vector<TemplateUse> templates_;            // checked last, once every definition is known
};

ProviderSpec Reader::read(const YAML::Node& root, const std::optional<std::string>& expected_id) {
  const CheckedMap top(root, "descriptor", topLevelKeyNames(), problems_);
  readIdentity(top, expected_id);
  readAuth(top);
  placeholders_.emplace(mode_);
  checkKeysForMode(top);
  // Sections that define placeholder names come first; their order also decides which source
  // a repeated ${connection.x} name is reported against.
  if (const Entry* entry = top.find("connection_fields")) readConnectionFields(*entry);
  if (const Entry* entry = top.find("callback_capture")) readCallbackCapture(*entry);
  if (const Entry* entry = top.find("post_connect")) readPostConnect(*entry);
  if (const Entry* entry = top.find("token_response")) readTokenResponse(*entry);
  readEndpoints(top);
  if (const Entry* entry = top.find("scopes")) readScopes(*entry);
  if (const Entry* entry = top.find("authorize_params")) {
    // Built into the authorize URL, before any credential or callback value exists.
    spec_.authorize_params = readParams(*entry, Known::ConnectionFields);
  }
  if (const Entry* entry = top.find("token_params")) {
    spec_.token_params = readParams(*entry, Known::Connection);
  }
  if (const Entry* entry = top.find("refresh_params")) {
    spec_.refresh_params = readParams(*entry, Known::Connection);
  }
  if (const Entry* entry = top.find("token_request")) readTokenRequest(*entry);
  // PKCE belongs to the authorization code grant; no other mode sends a code challenge.
  spec_.pkce = mode_ == AuthMode::OAuth2;
  if (const Entry* entry = top.find("pkce")) {
    if (auto pkce = yaml::readBool(*entry, problems_)) spec_.pkce = *pkce;
  }
  if (const Entry* entry = top.find("refresh")) readRefresh(*entry);
  if (const Entry* entry = top.find("oauth1")) readOauth1(*entry);
  if (const Entry* entry = top.find("api")) readApi(*entry);
  checkTemplates();
  return spec_;
}

void Reader::readIdentity(const CheckedMap& top, const std::optional<std::string>& expected_id) {
  if (const Entry* entry = top.find("id")) {
    if (auto id = yaml::readNonEmptyString(*entry, problems_)) {
      spec_.id = id->text;
      if (!isProviderId(id->text)) {
        problems_.add(id->mark,
                      "'id' must be lower-case letters, digits and '-', not starting with '-', at "
                      "most 63 characters (^[a-z0-9][a-z0-9-]{0,62}$; got '" +
                          id->text + "')");
      }
      if (expected_id && id->text != *expected_id) {
        problems_.add(id->mark, "id '" + id->text + "' must equal the file name '" + *expected_id +
                                    "' (providers.d/NAME.yaml defines id NAME)");
      }
    }
  }
  if (const Entry* entry = top.find("name")) {
    if (auto name = yaml::readNonEmptyString(*entry, problems_)) spec_.name = name->text;
  }
  if (const Entry* entry = top.find("docs")) {
    if (auto docs = readUrl(*entry, Known::Nothing)) spec_.docs = *docs;
  }
}

void Reader::readAuth(const CheckedMap& top) {
  const Entry* entry = top.find("auth");
  if (!entry) return;
  auth_mark_ = entry->value.Mark();
  mode_ = yaml::readEnum(*entry, authModeNames(), problems_);
  if (mode_) spec_.auth = *mode_;
}

void Reader::checkKeysForMode(const CheckedMap& top) {
  for (const TopLevelKey& key : topLevelKeys()) {
    const std::string name(key.name);
    if (const Entry* entry = top.find(name)) {
      if (mode_ && (key.applies & modeBit(*mode_)) == 0) {
        const std::string mode(authModeName(*mode_));
        problems_.add(entry->key.Mark(), "'" + name + "' does not apply to auth: " + mode +
                                             " (keys for " + mode + ": " +
                                             yaml::joinNames(keysFor(*mode_)) + ")");
      }
      continue;
    }
    if (key.required == kAllModes) {
      problems_.add(top.mark(), "missing required key '" + name +
                                    "' (every descriptor has id, name, auth and api)");
    } else if (mode_ && (key.required & modeBit(*mode_)) != 0) {
      problems_.add(auth_mark_, "auth: " + std::string(authModeName(*mode_)) + " requires '" +
                                    name + "'" + std::string(key.hint));
    }
  }
}

void Reader::readEndpoints(const CheckedMap& top) {
  const std::pair<const char*, std::string ProviderSpec::*> connection_fields_only[] = {
      {"authorize_url", &ProviderSpec::authorize_url},
      {"token_url", &ProviderSpec::token_url},
      {"issuer", &ProviderSpec::issuer},
  };
  for (const auto& [key, member] : connection_fields_only) {
    if (const Entry* entry = top.find(key)) {
      if (auto url = readUrl(*entry, Known::ConnectionFields)) spec_.*member = *url;
    }
  }
  if (const Entry* entry = top.find("refresh_url")) {
    if (auto url = readUrl(*entry, Known::Connection)) spec_.refresh_url = *url;
  }
}

void Reader::readScopes(const Entry& entry) {
  const CheckedMap map(entry, {"default", "separator"}, problems_);
  if (const Entry* item = map.find("default")) {
    if (auto scopes = yaml::readStringList(*item, problems_)) {
      for (const Scalar& scope : *scopes) spec_.scopes.defaults.push_back(scope.text);
    }
  }
  if (const Entry* item = map.find("separator")) {
    if (auto separator = yaml::readNonEmptyString(*item, problems_)) {
      spec_.scopes.separator = separator->text;
    }
  }
}

std::map<std::string, std::string> Reader::readParams(const Entry& entry, Known known) {
  std::map<std::string, std::string> params;
  if (auto pairs = yaml::readStringMap(entry, problems_)) {
    for (const auto& [name, value] : *pairs) {
      useTemplate(value, entry.path + "." + name.text, known);
      params[name.text] = value.text;
    }
  }
  return params;
}

void Reader::readTokenRequest(const Entry& entry) {
  const CheckedMap map(entry, {"auth", "body"}, problems_);
  if (const Entry* item = map.find("auth")) {
    const auto auth =
        yaml::readEnum<ClientAuth>(*item,
                                   {{"client_secret_post", ClientAuth::ClientSecretPost},
                                    {"client_secret_basic", ClientAuth::ClientSecretBasic}},
                                   problems_);
    if (auth) spec_.token_request.auth = *auth;
  }
  if (const Entry* item = map.find("body")) {
    const auto body = yaml::readEnum<BodyEncoding>(
        *item, {{"form", BodyEncoding::Form}, {"json", BodyEncoding::Json}}, problems_);
    if (body) spec_.token_request.body = *body;
  }
}

void Reader::readCallbackCapture(const Entry& entry) {
  auto names = yaml::readStringList(entry, problems_);
  if (!names) return;
  for (const Scalar& name : *names) {
    if (!isIdentifier(name.text)) {
      problems_.add(name.mark,
                    "'callback_capture' names must be letters, digits and _, not starting with a "
                    "digit (got '" +
                        name.text + "')");
    } else if (name.text == "code" || name.text == "state") {
      // keyhop consumes both, and the code is a secret that must not be stored.
      problems_.add(name.mark, "'callback_capture' must not name '" + name.text +
                                   "': keyhop consumes it in the exchange");
    } else {
      define("connection." + name.text, "callback_capture", name.mark);
    }
    spec_.callback_capture.push_back(name.text);
  }
}

void Reader::readTokenResponse(const Entry& entry) {
  const CheckedMap map(entry,
                       {"access_token", "refresh_token", "expires_in", "scope", "expires_in_unit",
                        "expires_in_default", "capture"},
                       problems_);
  TokenResponseFields& fields = spec_.token_response;
  const std::pair<const char*, std::string TokenResponseFields::*> paths[] = {
      {"access_token", &TokenResponseFields::access_token},
      {"refresh_token", &TokenResponseFields::refresh_token},
      {"expires_in", &TokenResponseFields::expires_in},
      {"scope", &TokenResponseFields::scope},
  };
  for (const auto& [key, member] : paths) {
    if (const Entry* item = map.find(key)) {
      if (auto path = readDottedPath(*item)) fields.*member = *path;
    }
  }
  if (const Entry* item = map.find("expires_in_unit")) {
    const auto unit = yaml::readEnum<ExpiresInUnit>(
        *item, {{"s", ExpiresInUnit::Seconds}, {"ms", ExpiresInUnit::Milliseconds}}, problems_);
    if (unit) fields.expires_in_unit = *unit;
  }
  if (const Entry* item = map.find("expires_in_default"); item && !item->value.IsNull()) {
    fields.expires_in_default = yaml::readInteger(*item, 1, kNoLimit, problems_);
  }
  if (const Entry* item = map.find("capture")) {
    readCaptures(*item, "credentials.", fields.capture);
  }
}

void Reader::readRefresh(const Entry& entry) {
  const CheckedMap map(entry, {"rotates_refresh_token", "margin_s", "keepalive_days"}, problems_);
  if (const Entry* item = map.find("rotates_refresh_token")) {
    if (auto rotates = yaml::readBool(*item, problems_)) {
      spec_.refresh.rotates_refresh_token = *rotates;
    }
  }
  if (const Entry* item = map.find("margin_s")) {
    if (auto margin = yaml::readInteger(*item, 0, kNoLimit, problems_)) {
      spec_.refresh.margin_s = *margin;
    }
  }
  if (const Entry* item = map.find("keepalive_days")) {
    if (auto days = yaml::readInteger(*item, 0, kNoLimit, problems_)) {
      spec_.refresh.keepalive_days = *days;
    }
  }
}

void Reader::readPostConnect(const Entry& entry) {
  const CheckedMap map(entry, {"method", "url", "capture"}, problems_);
  if (!entry.value.IsMap()) return;
  PostConnectCall call;
  if (const Entry* item = map.find("method")) {
    const auto method =
        yaml::readEnum<std::string>(*item, {{"GET", "GET"}, {"POST", "POST"}}, problems_);
    if (method) call.method = *method;
  }
  if (const Entry* item = map.find("url")) {
    if (auto url = readUrl(*item, Known::Connection)) call.url = *url;
  } else {
    problems_.add(map.mark(), "'post_connect' needs 'url' (the URL of the call)");
  }
  if (const Entry* item = map.find("capture")) {
    readCaptures(*item, "connection.", call.capture);
    if (item->value.IsMap() && item->value.size() == 0) {
      problems_.add(item->value.Mark(), "'post_connect.capture' must name at least one field");
    }
  } else {
    problems_.add(map.mark(),
                  "'post_connect' needs 'capture' (the fields to keep from its answer)");
  }
  spec_.post_connect = std::move(call);
}

void Reader::readOauth1(const Entry& entry) {
  const CheckedMap map(entry, {"request_url", "signature"}, problems_);
  if (!entry.value.IsMap()) return;
  Oauth1Settings settings;
  if (const Entry* item = map.find("request_url")) {
    if (auto url = readUrl(*item, Known::ConnectionFields)) settings.request_url = *url;
  } else {
    problems_.add(map.mark(), "'oauth1' needs 'request_url' (the request-token endpoint)");
  }
  if (const Entry* item = map.find("signature")) {
    const auto signature =
        yaml::readEnum<Oauth1Signature>(*item,
                                        {{"HMAC-SHA1", Oauth1Signature::HmacSha1},
                                         {"HMAC-SHA256", Oauth1Signature::HmacSha256},
                                         {"PLAINTEXT", Oauth1Signature::Plaintext}},
                                        problems_);
    if (signature) settings.signature = *signature;
  }
  spec_.oauth1 = std::move(settings);
}

void Reader::readConnectionFields(const Entry& entry) {
  const CheckedMap fields(entry, {}, problems_);
  for (const Entry& field : fields.entries()) readConnectionField(field);
}

void Reader::readConnectionField(const Entry& field) {
  if (!isFieldName(field.name)) {
    problems_.add(field.key.Mark(),
                  "connection field name '" + field.name +
                      "' must be lower-case letters, digits and _, starting with a letter");
  }
  define("connection." + field.name, "connection_fields", field.key.Mark());
  const CheckedMap map(field, {"pattern", "default"}, problems_);
  if (!field.value.IsMap()) return;
  ConnectionField out{field.name, "", std::nullopt};
  std::optional<std::regex> pattern;
  if (const Entry* item = map.find("pattern")) {
    pattern = readPattern(*item, out.pattern);
  } else {
    problems_.add(
        map.mark(),
        "'" + field.path +
            "' needs 'pattern' (a regular expression from ^ to $ that every value must match)");
  }
  if (const Entry* item = map.find("default")) {
    if (auto value = yaml::readString(*item, problems_)) {
      out.default_value = value->text;
      if (pattern && !std::regex_match(value->text, *pattern)) {
        problems_.add(value->mark, "'" + item->path + "' is '" + value->text +
                                       "', which does not match the field's pattern " +
                                       out.pattern);
      }
    }
  }
  spec_.connection_fields.push_back(std::move(out));
}

std::optional<std::regex> Reader::readPattern(const Entry& entry, std::string& pattern) {
  auto text = yaml::readNonEmptyString(entry, problems_);
  if (!text) return std::nullopt;
  pattern = text->text;
  // A pattern that is not anchored lets through any value that merely contains a match.
  if (!isAnchored(pattern)) {
    problems_.add(text->mark,
                  "'" + entry.path + "' must start with ^ and end with $ (got '" + pattern + "')");
    return std::nullopt;
  }
  try {
    return std::regex(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    problems_.add(text->mark, "'" + entry.path + "' is not a valid regular expression: " +
                                  e.what() + " (got '" + pattern + "')");
  }
  return std::nullopt;
}

void Reader::readApi(const Entry& entry) {
  const CheckedMap map(entry, {"base_url", "stamp", "headers", "auth_failure", "rate_limit"},
                       problems_);
  if (!entry.value.IsMap()) return;
  ApiSettings& api = spec_.api;
  if (const Entry* item = map.find("base_url")) {
    if (auto url = readUrl(*item, Known::Connection, true)) api.base_url = *url;
  } else {
    problems_.add(map.mark(),
                  "'api' needs 'base_url' (the URL that proxied paths are appended to)");
  }
  if (const Entry* item = map.find("stamp")) {
    readStamp(*item);
  } else {
    applyDefaultStamp();
  }
  if (const Entry* item = map.find("headers")) {
    if (auto pairs = yaml::readStringMap(*item, problems_)) {
      for (const auto& [name, value] : *pairs) {
        checkHeaderName(name, item->path);
        if (value.text.find_first_of("\r\n") != std::string::npos) {
          problems_.add(value.mark, "'api.headers." + name.text + "' must be one line");
        }
        useTemplate(value, "api.headers." + name.text, Known::Connection);
        api.headers[name.text] = value.text;
      }
    }
  }
  if (const Entry* item = map.find("auth_failure")) {
    const CheckedMap failure(*item, {"status"}, problems_);
    if (const Entry* status = failure.find("status")) {
      if (auto codes = yaml::readIntegerList(*status, 100, 599, problems_)) {
        api.auth_failure_status.assign(codes->begin(), codes->end());
      }
    }
  }
  if (const Entry* item = map.find("rate_limit")) {
    const CheckedMap rate_limit(*item, {"retry_after"}, problems_);
    if (const Entry* headers = rate_limit.find("retry_after")) {
      if (auto names = yaml::readStringList(*headers, problems_)) {
        api.retry_after_headers.clear();
        for (const Scalar& name : *names) {
          checkHeaderName(name, headers->path);
          api.retry_after_headers.push_back(name.text);
        }
      }
    }
  }
}

void Reader::readStamp(const Entry& entry) {
  if (mode_ == AuthMode::OAuth1) {
    problems_.add(entry.key.Mark(),
                  "'api.stamp' does not apply to auth: oauth1 (its calls are signed)");
    return;
  }
  const CheckedMap map(entry, {"header", "query", "format"}, problems_);
  if (!entry.value.IsMap()) return;
  Stamp& stamp = spec_.api.stamp;
  const Entry* header = map.find("header");
  const Entry* query = map.find("query");
  if (header && query) {
    problems_.add(map.mark(), "'api.stamp' takes 'header' or 'query', not both");
  } else if (!header && !query) {
    problems_.add(map.mark(), "'api.stamp' needs 'header' or 'query' (where the credential goes)");
  }
  if (header) {
    if (auto name = yaml::readNonEmptyString(*header, problems_)) {
      checkHeaderName(*name, header->path);
      stamp.header = name->text;
    }
  }
  if (query) {
    if (auto name = yaml::readNonEmptyString(*query, problems_)) stamp.query = name->text;
  }
  if (const Entry* item = map.find("format")) {
    if (auto format = yaml::readNonEmptyString(*item, problems_)) {
      useTemplate(*format, item->path, Known::Stamp);
      stamp.format = format->text;
    }
    return;
  }
  if (header && query) return;  // reported above; which format applies is unclear
  // A query parameter usually carries the bare credential; a header's format varies too much
  // (Bearer, token, a custom header) to guess, and basic has no single credential.
  const std::vector<std::string> credential = credentialNames(mode_);
  if (query && mode_ && credential.size() == 1) {
    stamp.format = "${" + credential.front() + "}";
  } else if (header || (query && mode_)) {
    problems_.add(map.mark(), "'api.stamp' needs 'format' here (e.g. \"Bearer ${access_token}\")");
  }
}

void Reader::applyDefaultStamp() {
  if (!mode_) return;
  switch (*mode_) {
    case AuthMode::OAuth2:
    case AuthMode::OAuth2ClientCredentials:
      spec_.api.stamp = Stamp{"Authorization", "", "Bearer ${access_token}"};
      break;
    case AuthMode::ApiKey:
      spec_.api.stamp = Stamp{"Authorization", "", "Bearer ${api_key}"};
      break;
    case AuthMode::Basic:
      spec_.api.stamp = Stamp{"Authorization", "", "Basic ${basic}"};
      break;
    case AuthMode::OAuth1:
      break;
  }
}

void Reader::checkTemplates() {
  const std::vector<std::string> defined = placeholders_->defined();
  for (const TemplateUse& use : templates_) {
    const PlaceholderRule rule = placeholders_->ruleFor(use.known);
    for (std::string& problem : checkTemplate(use.value.text, use.field, rule, defined)) {
      problems_.add(use.value.mark, std::move(problem));
    }
  }
}

std::optional<std::string> Reader::readUrl(const Entry& entry, Known known,
                                           bool may_start_with_credentials) {
  auto url = yaml::readNonEmptyString(entry, problems_);
  if (!url) return std::nullopt;
  if (auto problem = checkUrl(url->text, entry.path, may_start_with_credentials)) {
    problems_.add(url->mark, std::move(*problem));
  }
  useTemplate(*url, entry.path, known);
  return url->text;
}

std::optional<std::string> Reader::readDottedPath(const Entry& entry) {
  auto path = yaml::readNonEmptyString(entry, problems_);
  if (!path) return std::nullopt;
  if (!isDottedPath(path->text)) {
    problems_.add(path->mark, "'" + entry.path +
                                  "' must be a dotted path such as authed_user.access_token: "
                                  "letters, digits and _ joined by '.' (got '" +
                                  path->text + "')");
    return std::nullopt;
  }
  return path->text;
}

void Reader::readCaptures(const Entry& entry, const std::string& prefix,
                          std::map<std::string, std::string>& captures) {
  auto pairs = yaml::readStringMap(entry, problems_);
  if (!pairs) return;
  for (const auto& [name, path] : *pairs) {
    const std::string field = entry.path + "." + name.text;
    if (!isIdentifier(name.text)) {
      problems_.add(name.mark, "capture name '" + name.text + "' in " + entry.path +
                                   " must be letters, digits and _, not starting with a digit");
    } else {
      define(prefix + name.text, entry.path, name.mark);
    }
    if (!isDottedPath(path.text)) {
      problems_.add(path.mark, "'" + field +
                                   "' must be a dotted path such as team.id: letters, digits and _ "
                                   "joined by '.' (got '" +
                                   path.text + "')");
    }
    captures[name.text] = path.text;
  }
}

void Reader::define(const std::string& name, const std::string& origin, const YAML::Mark& at) {
  if (auto first = placeholders_->define(name, origin)) {
    problems_.add(at, "'${" + name + "}' is already defined by " + *first);
  }
}

void Reader::useTemplate(const Scalar& value, std::string field, Known known) {
  templates_.push_back(TemplateUse{value, std::move(field), known});
}

void Reader::checkHeaderName(const Scalar& name, const std::string& where) {
  if (!isHeaderName(name.text)) {
    problems_.add(name.mark, "'" + name.text + "' in " + where +
                                 " is not a valid header name (letters, digits and -)");
  }
}

}  // namespace

ProviderSpec readDescriptor(const YAML::Node& root, const std::optional<std::string>& expected_id,
                            yaml::Problems& problems) {
  return Reader(problems).read(root, expected_id);
}

}  // namespace keyhop::registry
