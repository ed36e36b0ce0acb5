#include "core/registry/descriptor_loader.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace {

using keyhop::AuthMode;
using keyhop::registry::DescriptorResult;
using keyhop::registry::loadDescriptorFile;
using keyhop::registry::parseDescriptor;

const std::filesystem::path kFixtures =
    std::filesystem::path(KEYHOP_SOURCE_DIR) / "tests" / "fixtures" / "descriptors";

std::string describe(const DescriptorResult& result) {
  std::string text;
  for (const auto& error : result.errors) text += error.toString() + "\n";
  return text;
}

// A valid oauth2 descriptor of six lines: `extra` starts on line 7.
std::string oauth2(const std::string& extra = "") {
  return "id: acme\n"
         "name: Acme\n"
         "auth: oauth2\n"
         "authorize_url: https://auth.acme.example/authorize\n"
         "token_url: https://auth.acme.example/token\n"
         "api: {base_url: https://api.acme.example}\n" +
         extra;
}

// The same with the api mapping given by the caller: its first line is line 7.
std::string oauth2Api(const std::string& api) {
  return "id: acme\n"
         "name: Acme\n"
         "auth: oauth2\n"
         "authorize_url: https://auth.acme.example/authorize\n"
         "token_url: https://auth.acme.example/token\n"
         "api:\n" +
         api;
}

// A descriptor of another mode, three lines long before `extra`.
std::string ofMode(const std::string& mode, const std::string& extra) {
  return "id: acme\nname: Acme\nauth: " + mode + "\n" + extra;
}

DescriptorResult parse(const std::string& yaml) { return parseDescriptor(yaml, "acme.yaml"); }

const char* const kEveryField = R"(id: acme
name: Acme Cloud
docs: https://developer.acme.example/oauth
auth: oauth2
authorize_url: https://${connection.subdomain}.acme.example/oauth/authorize
token_url: https://${connection.subdomain}.acme.example/oauth/token
refresh_url: https://${connection.subdomain}.acme.example/oauth/refresh
issuer: https://${connection.subdomain}.acme.example
scopes: {default: [read, "write:all"], separator: ","}
authorize_params: {access_type: offline, max_age: 3600, allow_signup: false}
token_params: {audience: "https://${connection.subdomain}.acme.example/api"}
refresh_params: {expires_in: 7200}
token_request: {auth: client_secret_basic, body: json}
pkce: false
callback_capture: [realmId]
token_response:
  access_token: authed_user.access_token
  refresh_token: authed_user.refresh_token
  expires_in: authed_user.expires_in
  scope: authed_user.scope
  expires_in_unit: ms
  expires_in_default: 3600
  capture: {instance_url: instance_url, team_id: team.id}
refresh: {rotates_refresh_token: true, margin_s: 120, keepalive_days: 30}
post_connect:
  method: POST
  url: https://login.acme.example/metadata?realm=${connection.realmId}
  capture: {dc: dc}
connection_fields:
  subdomain: {pattern: "^[a-z0-9][a-z0-9-]{0,62}$"}
  region: {pattern: "^(us|eu)$", default: us}
api:
  base_url: https://${connection.dc}.api.acme.example/${connection.region}
  stamp: {header: X-Acme-Token, format: "Token ${access_token} ${credentials.team_id}"}
  headers: {Acme-Version: "2024-01-01", X-Instance: "${credentials.instance_url}"}
  auth_failure: {status: [401, 403]}
  rate_limit: {retry_after: [Retry-After, X-RateLimit-Reset]}
)";

}  // namespace

TEST_CASE("a descriptor using every oauth2 field fills every member of the spec", "[registry]") {
  const DescriptorResult result = parseDescriptor(kEveryField, "acme.yaml", "acme");
  INFO(describe(result));
  REQUIRE(result);
  REQUIRE(result.errors.empty());
  const keyhop::ProviderSpec& spec = *result.spec;

  CHECK(spec.id == "acme");
  CHECK(spec.name == "Acme Cloud");
  CHECK(spec.docs == "https://developer.acme.example/oauth");
  CHECK(spec.auth == AuthMode::OAuth2);
  CHECK(spec.authorize_url == "https://${connection.subdomain}.acme.example/oauth/authorize");
  CHECK(spec.token_url == "https://${connection.subdomain}.acme.example/oauth/token");
  CHECK(spec.refresh_url == "https://${connection.subdomain}.acme.example/oauth/refresh");
  CHECK(spec.issuer == "https://${connection.subdomain}.acme.example");
  CHECK(spec.scopes.defaults == std::vector<std::string>{"read", "write:all"});
  CHECK(spec.scopes.separator == ",");
  CHECK(spec.authorize_params == std::map<std::string, std::string>{{"access_type", "offline"},
                                                                    {"max_age", "3600"},
                                                                    {"allow_signup", "false"}});
  CHECK(spec.token_params == std::map<std::string, std::string>{
                                 {"audience", "https://${connection.subdomain}.acme.example/api"}});
  CHECK(spec.refresh_params == std::map<std::string, std::string>{{"expires_in", "7200"}});
  CHECK(spec.token_request.auth == keyhop::ClientAuth::ClientSecretBasic);
  CHECK(spec.token_request.body == keyhop::BodyEncoding::Json);
  CHECK_FALSE(spec.pkce);
  CHECK(spec.callback_capture == std::vector<std::string>{"realmId"});

  CHECK(spec.token_response.access_token == "authed_user.access_token");
  CHECK(spec.token_response.refresh_token == "authed_user.refresh_token");
  CHECK(spec.token_response.expires_in == "authed_user.expires_in");
  CHECK(spec.token_response.scope == "authed_user.scope");
  CHECK(spec.token_response.expires_in_unit == keyhop::ExpiresInUnit::Milliseconds);
  CHECK(spec.token_response.expires_in_default == 3600);
  CHECK(
      spec.token_response.capture ==
      std::map<std::string, std::string>{{"instance_url", "instance_url"}, {"team_id", "team.id"}});

  CHECK(spec.refresh.rotates_refresh_token);
  CHECK(spec.refresh.margin_s == 120);
  CHECK(spec.refresh.keepalive_days == 30);

  REQUIRE(spec.post_connect);
  CHECK(spec.post_connect->method == "POST");
  CHECK(spec.post_connect->url ==
        "https://login.acme.example/metadata?realm=${connection.realmId}");
  CHECK(spec.post_connect->capture == std::map<std::string, std::string>{{"dc", "dc"}});
  CHECK_FALSE(spec.oauth1);

  // The document's order, not the alphabet's: the connect form asks in this order.
  REQUIRE(spec.connection_fields.size() == 2);
  CHECK(spec.connection_fields[0].name == "subdomain");
  CHECK(spec.connection_fields[0].pattern == "^[a-z0-9][a-z0-9-]{0,62}$");
  CHECK_FALSE(spec.connection_fields[0].default_value);
  CHECK(spec.connection_fields[1].name == "region");
  CHECK(spec.connection_fields[1].pattern == "^(us|eu)$");
  CHECK(spec.connection_fields[1].default_value == "us");

  CHECK(spec.api.base_url == "https://${connection.dc}.api.acme.example/${connection.region}");
  CHECK(spec.api.stamp.header == "X-Acme-Token");
  CHECK(spec.api.stamp.query.empty());
  CHECK(spec.api.stamp.format == "Token ${access_token} ${credentials.team_id}");
  CHECK(spec.api.headers ==
        std::map<std::string, std::string>{{"Acme-Version", "2024-01-01"},
                                           {"X-Instance", "${credentials.instance_url}"}});
  CHECK(spec.api.auth_failure_status == std::vector<int>{401, 403});
  CHECK(spec.api.retry_after_headers ==
        std::vector<std::string>{"Retry-After", "X-RateLimit-Reset"});
}

TEST_CASE("an oauth1 descriptor keeps its request URL and signature and has no stamp",
          "[registry]") {
  const DescriptorResult result = parse(ofMode("oauth1",
                                               "authorize_url: https://api.acme.example/authorize\n"
                                               "token_url: https://api.acme.example/access_token\n"
                                               "oauth1:\n"
                                               "  request_url: https://api.acme.example/request\n"
                                               "  signature: HMAC-SHA256\n"
                                               "api: {base_url: https://api.acme.example/1.1}\n"));
  INFO(describe(result));
  REQUIRE(result);
  REQUIRE(result.spec->oauth1);
  CHECK(result.spec->oauth1->request_url == "https://api.acme.example/request");
  CHECK(result.spec->oauth1->signature == keyhop::Oauth1Signature::HmacSha256);
  CHECK(result.spec->api.stamp.header.empty());
  CHECK(result.spec->api.stamp.query.empty());
  CHECK(result.spec->api.stamp.format.empty());
  CHECK_FALSE(result.spec->pkce);
}

TEST_CASE("keys left out of a descriptor take their documented defaults", "[registry]") {
  const DescriptorResult result = parse(oauth2());
  INFO(describe(result));
  REQUIRE(result);
  const keyhop::ProviderSpec& spec = *result.spec;

  CHECK(spec.docs.empty());
  CHECK(spec.refresh_url.empty());
  CHECK(spec.issuer.empty());
  CHECK(spec.scopes.defaults.empty());
  CHECK(spec.scopes.separator == " ");
  CHECK(spec.authorize_params.empty());
  CHECK(spec.token_params.empty());
  CHECK(spec.refresh_params.empty());
  CHECK(spec.token_request.auth == keyhop::ClientAuth::ClientSecretPost);
  CHECK(spec.token_request.body == keyhop::BodyEncoding::Form);
  CHECK(spec.pkce);
  CHECK(spec.callback_capture.empty());
  CHECK(spec.token_response.access_token == "access_token");
  CHECK(spec.token_response.refresh_token == "refresh_token");
  CHECK(spec.token_response.expires_in == "expires_in");
  CHECK(spec.token_response.scope == "scope");
  CHECK(spec.token_response.expires_in_unit == keyhop::ExpiresInUnit::Seconds);
  CHECK_FALSE(spec.token_response.expires_in_default);
  CHECK(spec.token_response.capture.empty());
  CHECK_FALSE(spec.refresh.rotates_refresh_token);
  CHECK(spec.refresh.margin_s == 300);
  CHECK(spec.refresh.keepalive_days == 0);
  CHECK_FALSE(spec.post_connect);
  CHECK_FALSE(spec.oauth1);
  CHECK(spec.connection_fields.empty());
  CHECK(spec.api.stamp.header == "Authorization");
  CHECK(spec.api.stamp.query.empty());
  CHECK(spec.api.stamp.format == "Bearer ${access_token}");
  CHECK(spec.api.headers.empty());
  CHECK(spec.api.auth_failure_status == std::vector<int>{401});
  CHECK(spec.api.retry_after_headers == std::vector<std::string>{"Retry-After"});
}

TEST_CASE("the default stamp and PKCE follow the auth mode", "[registry]") {
  struct Case {
    std::string mode;
    std::string extra;
    std::string header;
    std::string format;
  };
  const std::string api = "api: {base_url: https://api.acme.example}\n";
  const std::vector<Case> cases = {
      {"oauth2_cc", "token_url: https://auth.acme.example/token\n" + api, "Authorization",
       "Bearer ${access_token}"},
      {"api_key", api, "Authorization", "Bearer ${api_key}"},
      {"basic", api, "Authorization", "Basic ${basic}"},
  };
  for (const Case& c : cases) {
    const DescriptorResult result = parse(ofMode(c.mode, c.extra));
    INFO(c.mode << "\n" << describe(result));
    REQUIRE(result);
    CHECK(result.spec->api.stamp.header == c.header);
    CHECK(result.spec->api.stamp.format == c.format);
    CHECK_FALSE(result.spec->pkce);
  }
}

TEST_CASE("a query stamp without a format carries the bare credential", "[registry]") {
  const DescriptorResult token =
      parse(oauth2Api("  base_url: https://api.acme.example\n"
                      "  stamp: {query: access_token}\n"));
  INFO(describe(token));
  REQUIRE(token);
  CHECK(token.spec->api.stamp.header.empty());
  CHECK(token.spec->api.stamp.query == "access_token");
  CHECK(token.spec->api.stamp.format == "${access_token}");

  const DescriptorResult key = parse(ofMode("api_key",
                                            "api:\n"
                                            "  base_url: https://api.acme.example\n"
                                            "  stamp: {query: key}\n"));
  INFO(describe(key));
  REQUIRE(key);
  CHECK(key.spec->api.stamp.format == "${api_key}");
}

TEST_CASE("descriptors that bend the rules on purpose are accepted", "[registry]") {
  const std::vector<std::string> valid = {
      // Salesforce: the API origin arrives with the token.
      ofMode("oauth2",
             "authorize_url: https://login.acme.example/authorize\n"
             "token_url: https://login.acme.example/token\n"
             "token_response: {capture: {instance_url: instance_url}}\n"
             "api: {base_url: \"${credentials.instance_url}/services/data\"}\n"),
      // Loopback hosts may use plain http (the fake providers in tests).
      oauth2("refresh_url: http://127.0.0.1:8080/token\n"),
      oauth2("refresh_url: http://[::1]:8080/token\n"),
      oauth2("refresh_url: http://localhost/token\n"),
      // A placeholder standing for a whole host, and for a host label.
      oauth2("connection_fields: {host: {pattern: \"^[a-z.]+$\"}}\n"
             "issuer: https://${connection.host}/oauth2\n"),
      // Numbers and booleans in parameter maps are kept as text; null means "never expires".
      oauth2("token_params: {ttl: 60, offline: true}\n"
             "token_response: {expires_in_default: null}\n"),
      // A literal dollar without a brace is not a placeholder.
      oauth2("authorize_params: {price: \"$5\"}\n"),
  };
  for (const std::string& yaml : valid) {
    const DescriptorResult result = parse(yaml);
    INFO(yaml << "\n" << describe(result));
    CHECK(result);
  }
}

TEST_CASE("each broken descriptor gets one error at the right place saying what is wrong",
          "[registry]") {
  struct Case {
    std::string yaml;
    int line;
    int column;
    std::string fragment;
  };
  const std::vector<Case> cases = {
      // Keys.
      {oauth2("scope: [read]\n"), 7, 1,
       "unknown key 'scope' in descriptor (expected one of: id, name, docs, auth,"},
      {oauth2("token_request: {auth: client_secret_post, encoding: json}\n"), 7, 43,
       "unknown key 'encoding' in token_request (expected one of: auth, body)"},
      {oauth2("connection_fields:\n  region: {pattern: \"^(us|eu)$\", label: Region}\n"), 8, 34,
       "unknown key 'label' in connection_fields.region (expected one of: pattern, default)"},
      {oauth2("name: Acme again\n"), 7, 1, "duplicate key 'name' in descriptor (first at line 2)"},
      {oauth2("refresh:\n  margin_s: 60\n  margin_s: 120\n"), 9, 3,
       "duplicate key 'margin_s' in refresh (first at line 8)"},
      {"name: Acme\nauth: api_key\napi: {base_url: https://api.acme.example}\n", 1, 1,
       "missing required key 'id'"},
      {"id: acme\nname: Acme\nauth: api_key\n", 1, 1, "missing required key 'api'"},
      // Types.
      {oauth2("docs: [https://docs.acme.example]\n"), 7, 7,
       "'docs' must be a string (got a sequence)"},
      {oauth2("pkce: sometimes\n"), 7, 7, "'pkce' must be true or false (got 'sometimes')"},
      {oauth2("pkce: \"false\"\n"), 7, 7, "(got the quoted string 'false')"},
      {oauth2("refresh: {margin_s: -5}\n"), 7, 21,
       "'refresh.margin_s' must be an integer >= 0 (got '-5')"},
      {oauth2("token_response: {expires_in_default: 0}\n"), 7, 38,
       "'token_response.expires_in_default' must be an integer >= 1"},
      {oauth2("refresh_url:\n"), 7, 1, "'refresh_url' has no value (expected a string)"},
      {oauth2("authorize_params: {prompt: [consent]}\n"), 7, 28,
       "'authorize_params.prompt' must be a string (got a sequence)"},
      {oauth2("callback_capture: realmId\n"), 7, 19,
       "'callback_capture' must be a sequence of strings (got 'realmId')"},
      {oauth2Api("  base_url: https://api.acme.example\n  auth_failure: {status: [401, 600]}\n"), 8,
       32, "'api.auth_failure.status[1]' must be an integer from 100 to 599 (got '600')"},
      {"id: acme\nname: \"\"\nauth: api_key\napi: {base_url: https://api.acme.example}\n", 2, 7,
       "'name' must not be empty"},
      // Documents.
      {"", 0, 0, "the descriptor is empty"},
      {"# nothing but a comment\n", 0, 0, "the descriptor is empty"},
      {"- id: acme\n", 1, 1, "a descriptor must be a mapping"},
      {oauth2("---\nid: other\n"), 8, 1, "a descriptor file holds one YAML document (found 2)"},
      {"id: acme\nname: [Acme\nauth: oauth2\n", 3, 5, "YAML syntax error:"},
      // Auth modes.
      {ofMode("oauth2",
              "token_url: https://auth.acme.example/token\n"
              "api: {base_url: https://api.acme.example}\n"),
       3, 7, "auth: oauth2 requires 'authorize_url'"},
      {ofMode("oauth1",
              "authorize_url: https://api.acme.example/authorize\n"
              "token_url: https://api.acme.example/access_token\n"
              "api: {base_url: https://api.acme.example}\n"),
       3, 7, "auth: oauth1 requires 'oauth1' (with request_url"},
      {ofMode("oauth1",
              "authorize_url: https://api.acme.example/authorize\n"
              "token_url: https://api.acme.example/access_token\n"
              "oauth1: {signature: PLAINTEXT}\n"
              "api: {base_url: https://api.acme.example}\n"),
       6, 9, "'oauth1' needs 'request_url'"},
      {ofMode("oauth2_cc",
              "authorize_url: https://auth.acme.example/authorize\n"
              "token_url: https://auth.acme.example/token\n"
              "api: {base_url: https://api.acme.example}\n"),
       4, 1, "'authorize_url' does not apply to auth: oauth2_cc (keys for oauth2_cc: id, name,"},
      {ofMode("oauth1",
              "authorize_url: https://api.acme.example/authorize\n"
              "token_url: https://api.acme.example/access_token\n"
              "oauth1: {request_url: https://api.acme.example/request}\n"
              "pkce: false\n"
              "api: {base_url: https://api.acme.example}\n"),
       7, 1, "'pkce' does not apply to auth: oauth1"},
      {ofMode("basic", "scopes: {default: [read]}\napi: {base_url: https://api.acme.example}\n"), 4,
       1, "'scopes' does not apply to auth: basic"},
      {ofMode("api_key",
              "token_response: {access_token: key}\n"
              "api: {base_url: https://api.acme.example}\n"),
       4, 1, "'token_response' does not apply to auth: api_key"},
      {oauth2("oauth1: {request_url: https://auth.acme.example/request}\n"), 7, 1,
       "'oauth1' does not apply to auth: oauth2"},
      {ofMode("oauth1",
              "authorize_url: https://api.acme.example/authorize\n"
              "token_url: https://api.acme.example/access_token\n"
              "oauth1: {request_url: https://api.acme.example/request}\n"
              "api:\n"
              "  base_url: https://api.acme.example\n"
              "  stamp: {header: Authorization, format: \"OAuth ${access_token}\"}\n"),
       9, 3, "'api.stamp' does not apply to auth: oauth1 (its calls are signed)"},
      // URLs.
      {oauth2("refresh_url: /oauth/refresh\n"), 7, 14,
       "refresh_url must be an absolute https URL (got '/oauth/refresh')"},
      {oauth2("docs: ftp://docs.acme.example\n"), 7, 7, "docs must use https (got scheme 'ftp')"},
      {oauth2Api("  base_url: http://api.acme.example\n"), 7, 13,
       "api.base_url must use https (http is only allowed for loopback hosts)"},
      {oauth2("connection_fields: {sub: {pattern: \"^[a-z]+$\"}}\n"
              "issuer: http://${connection.sub}.acme.example\n"),
       8, 9, "issuer must use https (http is only allowed for loopback hosts)"},
      {oauth2("refresh_url: https://client:secret@auth.acme.example/token\n"), 7, 14,
       "refresh_url must not carry a user name or password"},
      {oauth2("refresh_url: https://auth_acme.example/token\n"), 7, 14,
       "refresh_url has an invalid host 'auth_acme.example'"},
      {oauth2("refresh_url: https://auth.acme.example:99999/token\n"), 7, 14,
       "refresh_url is not a valid URL"},
      {oauth2("refresh_url: \"https://auth.acme.example/oauth token\"\n"), 7, 14,
       "refresh_url must not contain spaces"},
      {oauth2("connection_fields: {host: {pattern: \"^[a-z.]+$\"}}\n"
              "refresh_url: \"${connection.host}/token\"\n"),
       8, 14, "refresh_url must be an absolute https URL"},
      // Placeholders.
      {oauth2Api("  base_url: https://api.acme.example/${connection.region\n"), 7, 13,
       "unterminated placeholder in api.base_url: '${' without a closing '}'"},
      {oauth2Api("  base_url: https://api.acme.example/${access_token}\n"), 7, 13,
       "placeholder '${access_token}' cannot be used in api.base_url: it takes ${connection.x} "
       "and ${credentials.x} names (available here: none)"},
      {oauth2Api("  base_url: https://api.acme.example\n"
                 "  stamp: {header: X-Key, format: \"${api_key}\"}\n"),
       8, 34,
       "undefined placeholder '${api_key}' in api.stamp.format (available here: "
       "${access_token})"},
      {ofMode("oauth2",
              "authorize_url: https://auth.acme.example/authorize\n"
              "callback_capture: [realmId]\n"
              "token_url: https://auth.acme.example/${connection.realmId}/token\n"
              "api: {base_url: https://api.acme.example}\n"),
       6, 12,
       "placeholder '${connection.realmId}' cannot be used in token_url: only "
       "${connection.x} from connection_fields is known when it is used"},
      {oauth2("connection_fields: {region: {pattern: \"^(us|eu)$\"}}\n"
              "docs: https://docs.acme.example/${connection.region}\n"),
       8, 7,
       "placeholder '${connection.region}' cannot be used in docs: it takes no "
       "placeholders"},
      {oauth2("token_response: {capture: {team: team.id}}\n"
              "authorize_params: {team: \"${credentials.team}\"}\n"),
       8, 26,
       "placeholder '${credentials.team}' cannot be used in authorize_params.team: only "
       "${connection.x} from connection_fields is known when it is used"},
      {oauth2("token_params: {x: \"${foo}\"}\n"), 7, 19,
       "undefined placeholder '${foo}' in token_params.x"},
      {oauth2Api("  base_url: \"${credentials.instance_url}\"\n"), 7, 13,
       "undefined placeholder '${credentials.instance_url}' in api.base_url (${credentials.x} "
       "names come from token_response.capture; available here: none)"},
      // Identity.
      {oauth2().replace(0, 8, "id: Acme"), 1, 5, "'id' must be lower-case letters, digits and '-'"},
      {oauth2().replace(0, 8, "id: " + std::string(64, 'a')), 1, 5, "at most 63 characters"},
      {oauth2().replace(0, 8, "id: -acme"), 1, 5, "not starting with '-'"},
      // Words.
      {oauth2().replace(oauth2().find("auth: oauth2"), 12, "auth: oauth3"), 3, 7,
       "'auth' must be one of oauth2, oauth2_cc, oauth1, api_key, basic (got 'oauth3')"},
      {oauth2("token_request: {body: xml}\n"), 7, 23,
       "'token_request.body' must be one of form, json (got 'xml')"},
      {oauth2("token_response: {expires_in_unit: minutes}\n"), 7, 35,
       "'token_response.expires_in_unit' must be one of s, ms (got 'minutes')"},
      {oauth2("post_connect: {method: PUT, url: https://acme.example/me, capture: {id: id}}\n"), 7,
       24, "'post_connect.method' must be one of GET, POST (got 'PUT')"},
      // Connection fields.
      {oauth2("connection_fields: {region: {pattern: \"[a-z]+\"}}\n"), 7, 39,
       "'connection_fields.region.pattern' must start with ^ and end with $"},
      {oauth2("connection_fields: {region: {pattern: \"^[a-z]+\\\\$\"}}\n"), 7, 39,
       "must start with ^ and end with $"},
      {oauth2("connection_fields: {region: {pattern: \"^(us|eu$\"}}\n"), 7, 39,
       "'connection_fields.region.pattern' is not a valid regular expression"},
      {oauth2("connection_fields: {region: {pattern: \"^(us|eu)$\", default: ap}}\n"), 7, 61,
       "'connection_fields.region.default' is 'ap', which does not match the field's pattern"},
      {oauth2("connection_fields: {Region: {pattern: \"^(us|eu)$\"}}\n"), 7, 21,
       "connection field name 'Region' must be lower-case letters"},
      {oauth2("connection_fields: {region: {default: us}}\n"), 7, 29,
       "'connection_fields.region' needs 'pattern'"},
      {oauth2("connection_fields: {realm: {pattern: \"^[0-9]+$\"}}\n"
              "post_connect: {url: https://acme.example/me, capture: {realm: id}}\n"),
       8, 56, "'${connection.realm}' is already defined by connection_fields"},
      // Paths and captures.
      {oauth2("token_response: {access_token: \"authed_user..access_token\"}\n"), 7, 32,
       "'token_response.access_token' must be a dotted path"},
      {oauth2("token_response: {capture: {team-id: team.id}}\n"), 7, 28,
       "capture name 'team-id' in token_response.capture must be letters, digits and _"},
      {oauth2("callback_capture: [code]\n"), 7, 20, "'callback_capture' must not name 'code'"},
      {oauth2("callback_capture: [realm-id]\n"), 7, 20,
       "'callback_capture' names must be letters, digits and _"},
      {oauth2("post_connect: {capture: {dc: dc}}\n"), 7, 15, "'post_connect' needs 'url'"},
      {oauth2("post_connect: {url: https://acme.example/me, capture: {}}\n"), 7, 55,
       "'post_connect.capture' must name at least one field"},
      // Stamps and headers.
      {oauth2Api("  base_url: https://api.acme.example\n"
                 "  stamp: {header: Authorization, query: token}\n"),
       8, 10, "'api.stamp' takes 'header' or 'query', not both"},
      {oauth2Api("  base_url: https://api.acme.example\n  stamp: {format: \"${access_token}\"}\n"),
       8, 10, "'api.stamp' needs 'header' or 'query'"},
      {oauth2Api("  base_url: https://api.acme.example\n  stamp: {header: X-Token}\n"), 8, 10,
       "'api.stamp' needs 'format' here"},
      {ofMode("basic", "api:\n  base_url: https://api.acme.example\n  stamp: {query: auth}\n"), 6,
       10, "'api.stamp' needs 'format' here"},
      {oauth2Api("  base_url: https://api.acme.example\n"
                 "  stamp: {header: X Token, format: \"${access_token}\"}\n"),
       8, 19, "'X Token' in api.stamp.header is not a valid header name"},
      {oauth2Api("  base_url: https://api.acme.example\n  headers: {\"Acme Version\": \"1\"}\n"), 8,
       13, "'Acme Version' in api.headers is not a valid header name"},
      {oauth2Api("  base_url: https://api.acme.example\n  rate_limit: {retry_after: [\"\"]}\n"), 8,
       30, "'api.rate_limit.retry_after[0]' must not be empty"},
      {oauth2Api("  headers: {Accept: application/json}\n"), 7, 3, "'api' needs 'base_url'"},
  };
  for (const Case& c : cases) {
    const DescriptorResult result = parse(c.yaml);
    INFO(c.yaml << "---\n" << describe(result));
    CHECK_FALSE(result);
    REQUIRE(result.errors.size() == 1);
    const auto& error = result.errors.front();
    CHECK(error.file == "acme.yaml");
    CHECK(error.line == c.line);
    CHECK(error.column == c.column);
    CHECK_THAT(error.message, Catch::Contains(c.fragment));
  }
}

TEST_CASE("every problem in a document is reported, in document order", "[registry]") {
  const DescriptorResult result = parseDescriptor(
      "id: Acme\n"
      "name: Acme\n"
      "auth: api_key\n"
      "pkce: true\n"
      "refresh: {margin_s: soon}\n"
      "api:\n"
      "  base_url: http://api.acme.example/${x}\n"
      "  colour: blue\n",
      "providers.d/acme.yaml", "acme");
  INFO(describe(result));
  CHECK_FALSE(result);
  std::vector<std::string> positions;
  for (const auto& error : result.errors) {
    positions.push_back(std::to_string(error.line) + ":" + std::to_string(error.column));
  }
  // id: pattern and file name; pkce and refresh: not for api_key; margin_s: type; base_url:
  // http and the undefined placeholder; colour: unknown.
  CHECK(positions ==
        std::vector<std::string>{"1:5", "1:5", "4:1", "5:1", "5:21", "7:13", "7:13", "8:3"});
  CHECK(result.errors.front().toString().rfind("providers.d/acme.yaml:1:5: ", 0) == 0);
}

TEST_CASE("a descriptor read from a file must be named after its id", "[registry]") {
  const std::filesystem::path path = kFixtures / "valid" / "example-oauth2.yaml";
  const DescriptorResult result = loadDescriptorFile(path);
  INFO(describe(result));
  REQUIRE(result);
  CHECK(result.spec->id == "example-oauth2");

  const DescriptorResult renamed =
      parseDescriptor(oauth2(), "providers.d/acme-eu.yaml", std::string("acme-eu"));
  REQUIRE(renamed.errors.size() == 1);
  CHECK(renamed.errors.front().toString() ==
        "providers.d/acme-eu.yaml:1:5: id 'acme' must equal the file name 'acme-eu' "
        "(providers.d/NAME.yaml defines id NAME)");
}

TEST_CASE("a descriptor file that cannot be read is one error without a position", "[registry]") {
  const std::filesystem::path missing = kFixtures / "valid" / "no-such-provider.yaml";
  const DescriptorResult result = loadDescriptorFile(missing);
  CHECK_FALSE(result);
  REQUIRE(result.errors.size() == 1);
  CHECK(result.errors.front().file == missing.string());
  CHECK(result.errors.front().line == 0);
  CHECK_THAT(result.errors.front().message, Catch::Contains("cannot read"));

  const DescriptorResult directory = loadDescriptorFile(kFixtures / "valid");
  REQUIRE(directory.errors.size() == 1);
  CHECK_THAT(directory.errors.front().message, Catch::Contains("not a regular file"));
}

TEST_CASE("each broken fixture file fails with exactly its own error", "[registry]") {
  struct Expected {
    int line;
    int column;
    std::string fragment;
  };
  const std::map<std::string, Expected> expected = {
      {"unknown-key.yaml", {7, 1, "unknown key 'scope' in descriptor (expected one of:"}},
      {"wrong-type.yaml", {7, 9, "'scopes' must be a mapping (got a sequence)"}},
      {"missing-for-mode.yaml", {4, 7, "auth: oauth2 requires 'token_url'"}},
      {"not-for-mode.yaml", {5, 1, "'token_url' does not apply to auth: api_key"}},
      {"non-https-url.yaml", {6, 12, "token_url must use https (got scheme 'ftp')"}},
      {"http-not-loopback.yaml",
       {6, 12, "token_url must use https (http is only allowed for loopback hosts)"}},
      {"undefined-placeholder.yaml",
       {10, 13, "undefined placeholder '${connection.subdomian}' in api.base_url"}},
      {"wrong-placeholder-kind.yaml",
       {6, 12, "placeholder '${credentials.instance_host}' cannot be used in token_url"}},
      {"Bad_Id.yaml", {2, 5, "'id' must be lower-case letters, digits and '-'"}},
      {"id-not-file-name.yaml",
       {2, 5, "id 'id-not-filename' must equal the file name 'id-not-file-name'"}},
      {"yaml-syntax.yaml", {7, 31, "YAML syntax error"}},
      {"duplicate-key.yaml", {7, 1, "duplicate key 'token_url' in descriptor (first at line 6)"}},
      {"bad-regex.yaml",
       {9, 14, "'connection_fields.subdomain.pattern' is not a valid regular expression"}},
      {"default-not-matching.yaml",
       {10, 14,
        "'connection_fields.hostname.default' is 'sandbox.example.com', which does not "
        "match the field's pattern"}},
      {"bad-enum.yaml",
       {4, 7,
        "'auth' must be one of oauth2, oauth2_cc, oauth1, api_key, basic "
        "(got 'oauth3')"}},
  };
  std::set<std::string> seen;
  for (const auto& entry : std::filesystem::directory_iterator(kFixtures / "broken")) {
    const std::string name = entry.path().filename().string();
    seen.insert(name);
    INFO(name);
    const auto it = expected.find(name);
    REQUIRE(it != expected.end());  // a new fixture needs its expectation here
    const DescriptorResult result = loadDescriptorFile(entry.path());
    INFO(describe(result));
    CHECK_FALSE(result);
    REQUIRE(result.errors.size() == 1);
    CHECK(result.errors.front().file == entry.path().string());
    CHECK(result.errors.front().line == it->second.line);
    CHECK(result.errors.front().column == it->second.column);
    CHECK_THAT(result.errors.front().message, Catch::Contains(it->second.fragment));
  }
  CHECK(seen.size() == expected.size());
}

TEST_CASE("the valid fixture files load cleanly, one per auth mode", "[registry]") {
  std::set<AuthMode> modes;
  for (const auto& entry : std::filesystem::directory_iterator(kFixtures / "valid")) {
    const DescriptorResult result = loadDescriptorFile(entry.path());
    INFO(entry.path().string() << "\n" << describe(result));
    REQUIRE(result);
    CHECK(result.errors.empty());
    CHECK(result.spec->id == entry.path().stem().string());
    modes.insert(result.spec->auth);
  }
  CHECK(modes == std::set<AuthMode>{AuthMode::OAuth2, AuthMode::OAuth2ClientCredentials,
                                    AuthMode::OAuth1, AuthMode::ApiKey, AuthMode::Basic});
}
