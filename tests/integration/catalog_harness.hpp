#pragma once

// For the [catalog] flow test: every provider keyhop ships (each providers.d file, each plugin's
// provider) plus the one-per-auth-mode fixtures, aimed at a FakeProvider. A descriptor's own YAML
// is copied with every URL pointed at the fake and its id suffixed "-catalog", then loaded by the
// real loader; a plugin's spec (its YAML is inside the .so) is copied the same way with its hooks.
// Then the fake is told to answer as the descriptor says the provider does.
//
// A templated host (https://${connection.subdomain}.example.com) becomes the fake's fixed URL:
// filling host templates is covered by the descriptor loader's and the flows' unit tests.

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/String.h>
#include <Poco/URI.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "core/registry/descriptor_loader.hpp"
#include "core/registry/registry.hpp"
#include "tests/fakes/fake_provider.hpp"
#include "tests/support/temp_dir.hpp"

namespace keyhop::catalog::testing {

using Fields = std::map<std::string, std::string>;

inline constexpr const char* kIdSuffix = "-catalog";
inline constexpr const char* kPostConnectPath = "/api/catalog-post-connect";

// One provider to drive: a descriptor file, or a provider a plugin defines.
struct CatalogSource {
  std::string label;  // names the provider in the test's sections
  std::string id;
  std::filesystem::path descriptor;               // set for a descriptor file
  std::optional<registry::ProviderEntry> plugin;  // set for a plugin's provider
};

inline std::vector<std::filesystem::path> yamlFiles(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".yaml") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Listed when the test runs, so a provider added to providers.d or the plugins is covered
// without touching the test.
inline std::vector<CatalogSource> catalogSources() {
  const std::filesystem::path source_dir(KEYHOP_SOURCE_DIR);
  std::vector<CatalogSource> sources;
  for (const auto& path : yamlFiles(source_dir / "providers.d")) {
    sources.push_back({"providers.d/" + path.filename().string(), path.stem().string(), path, {}});
  }
  registry::LoadErrors errors;
  const auto plugins = registry::Registry::load({{}, {KEYHOP_PLUGIN_DIR}}, errors);
  for (const auto& error : errors) FAIL_CHECK(error.toString());
  for (const auto* entry : plugins.all()) {
    const std::string file = std::filesystem::path(entry->source).filename().string();
    sources.push_back({"plugin " + file + " (" + entry->spec.id + ")", entry->spec.id, {}, *entry});
  }
  // One per auth mode: the modes no shipped provider uses yet are driven too.
  for (const auto& path : yamlFiles(source_dir / "tests/fixtures/descriptors/valid")) {
    sources.push_back({"fixture " + path.filename().string(), path.stem().string(), path, {}});
  }
  return sources;
}

// Where each URL a descriptor may hold points on the fake; `key` is its dotted descriptor key.
inline std::string fakeUrlFor(const std::string& key, bool oauth1, const std::string& fake) {
  if (key == "authorize_url") return fake + (oauth1 ? "/oauth1/authorize" : "/oauth/authorize");
  if (key == "token_url") return fake + (oauth1 ? "/oauth1/access_token" : "/oauth/token");
  if (key == "refresh_url") return fake + "/oauth/token";
  if (key == "issuer") return fake;
  if (key == "oauth1.request_url") return fake + "/oauth1/request_token";
  if (key == "api.base_url") return fake + "/api";
  if (key == "post_connect.url") return fake + kPostConnectPath;
  throw std::logic_error("no fake URL for " + key);
}

// How long the access token lives, as the descriptor says it is told.
enum class Lifetime {
  FromResponse,  // the response's expires_in (path and unit from the descriptor)
  Default,       // no expires_in; token_response.expires_in_default applies
  Never,         // no expires_in and `expires_in_default: null`: the token never expires
};

struct AimedProvider {
  std::string id;                                // the copy's id: <id>-catalog
  std::vector<registry::ProviderEntry> entries;  // a plugin's copy, for the registry
  std::filesystem::path descriptor_dir;          // the descriptor's copy is in here
  Lifetime lifetime = Lifetime::FromResponse;
};

inline Lifetime lifetimeOf(const ProviderSpec& spec) {
  return spec.token_response.expires_in_default ? Lifetime::Default : Lifetime::FromResponse;
}

// Writes the descriptor's YAML, URLs aimed at `fake`, to dir/providers.d/<id>-catalog.yaml and
// checks that the loader accepts it.
inline AimedProvider aimDescriptor(const CatalogSource& source, const std::string& fake,
                                   const test::TempDir& dir) {
  YAML::Node root = YAML::LoadFile(source.descriptor.string());
  const YAML::Node& read = root;
  const bool oauth1 = read["auth"].as<std::string>() == "oauth1";
  for (const char* key : {"authorize_url", "token_url", "refresh_url", "issuer"}) {
    if (read[key]) root[key] = fakeUrlFor(key, oauth1, fake);
  }
  const std::vector<std::pair<const char*, const char*>> nested = {
      {"oauth1", "request_url"}, {"api", "base_url"}, {"post_connect", "url"}};
  for (const auto& [parent, key] : nested) {
    if (read[parent] && read[parent][key]) {
      root[parent][key] = fakeUrlFor(std::string(parent) + "." + key, oauth1, fake);
    }
  }
  AimedProvider aimed;
  aimed.id = source.id + kIdSuffix;
  root["id"] = aimed.id;
  const YAML::Node response = read["token_response"];
  if (response && response["expires_in_default"]) {
    aimed.lifetime = response["expires_in_default"].IsNull() ? Lifetime::Never : Lifetime::Default;
  }
  YAML::Emitter out;
  out << root;
  aimed.descriptor_dir = dir.path() / "providers.d";
  const auto path = dir.write("providers.d/" + aimed.id + ".yaml", out.c_str());
  const auto loaded = registry::loadDescriptorFile(path);
  for (const auto& error : loaded.errors) FAIL_CHECK(error.toString());
  INFO(out.c_str());
  REQUIRE(loaded);
  return aimed;
}

// A plugin's provider with the same URLs aimed at `fake`, keeping its hooks.
inline AimedProvider aimPlugin(const CatalogSource& source, const std::string& fake) {
  registry::ProviderEntry entry = *source.plugin;
  ProviderSpec& spec = entry.spec;
  const bool oauth1 = spec.auth == AuthMode::OAuth1;
  const auto aim = [&](std::string& url, const char* key) {
    if (!url.empty()) url = fakeUrlFor(key, oauth1, fake);
  };
  aim(spec.authorize_url, "authorize_url");
  aim(spec.token_url, "token_url");
  aim(spec.refresh_url, "refresh_url");
  aim(spec.issuer, "issuer");
  if (spec.oauth1) aim(spec.oauth1->request_url, "oauth1.request_url");
  aim(spec.api.base_url, "api.base_url");
  if (spec.post_connect) aim(spec.post_connect->url, "post_connect.url");
  AimedProvider aimed;
  aimed.id = source.id + kIdSuffix;
  spec.id = aimed.id;
  aimed.lifetime = lifetimeOf(spec);
  aimed.entries.push_back(std::move(entry));
  return aimed;
}

// What a plugin's code expects of the provider beyond its descriptor: its quirks, by provider.
inline void pluginQuirks(const std::string& id, fakes::Options& options) {
  if (id == "slack") {
    options.slack_style = true;                 // "ok": true answers
    options.nest_tokens_under = "authed_user";  // a user-only install
  }
}

// A value for a connection field without a default: the first of a few plain ones its pattern
// takes.
inline std::optional<std::string> valueMatching(const std::string& pattern) {
  const std::regex rule(pattern);
  for (const char* candidate : {"acme", "acme1", "acme-eu", "acme.example.com", "main", "a", "1"}) {
    if (std::regex_match(candidate, rule)) return std::string(candidate);
  }
  return std::nullopt;
}

// What the fake does and what the test then expects, all derived from the descriptor.
struct Behaviour {
  fakes::Options options;
  Fields supplied_fields;             // connection fields sent when connecting
  Fields connection_fields;           // what the connection must hold: supplied, defaults, captures
  Fields captured;                    // token_response.capture values the fake was told to answer
  std::vector<std::string> problems;  // what the fake cannot do for this provider
};

// Where the fake puts a token field, and the fields it answers on its own.
inline bool isNativeTokenField(AuthMode mode, const std::string& path) {
  static const std::vector<std::string> oauth1 = {"oauth_token", "oauth_token_secret", "user_id"};
  static const std::vector<std::string> oauth2 = {"access_token", "token_type", "expires_in",
                                                  "refresh_token", "scope"};
  const auto& native = mode == AuthMode::OAuth1 ? oauth1 : oauth2;
  return std::find(native.begin(), native.end(), path) != native.end();
}

// The fake's API checks one of a few stamp shapes; anything else is a problem to report.
inline void stampLikeProvider(const ProviderSpec& spec, Behaviour& behaviour) {
  fakes::Options& options = behaviour.options;
  if (spec.auth == AuthMode::OAuth1) {
    options.api_auth = fakes::ApiAuth::OAuth1;
    return;
  }
  const Stamp& stamp = spec.api.stamp;
  const std::regex bare(R"(\$\{[a-z_]+\})");
  const bool authorization = Poco::icompare(stamp.header, "Authorization") == 0;
  if (authorization && std::regex_match(stamp.format, std::regex(R"(Bearer \$\{[a-z_]+\})"))) {
    options.api_auth = fakes::ApiAuth::Bearer;
  } else if (authorization && stamp.format == "Basic ${basic}") {
    options.api_auth = fakes::ApiAuth::Basic;
  } else if (!stamp.header.empty() && std::regex_match(stamp.format, bare)) {
    options.api_auth = fakes::ApiAuth::Header;
    options.api_header = stamp.header;
  } else if (!stamp.query.empty() && std::regex_match(stamp.format, bare)) {
    options.api_auth = fakes::ApiAuth::Query;
    options.api_query = stamp.query;
  } else {
    behaviour.problems.push_back("the fake's API cannot check api.stamp (header '" + stamp.header +
                                 "', query '" + stamp.query + "', format '" + stamp.format +
                                 "'): teach tests/fakes/fake_api_endpoints.cpp");
  }
}

inline std::string jsonWithPaths(const Fields& values_by_path) {
  Poco::JSON::Object root(Poco::JSON_PRESERVE_KEY_ORDER);
  for (const auto& [path, value] : values_by_path) {
    Poco::JSON::Object* object = &root;
    std::string rest = path;
    for (auto dot = rest.find('.'); dot != std::string::npos; dot = rest.find('.')) {
      const std::string head = rest.substr(0, dot);
      if (!object->isObject(head)) {
        object->set(head,
                    Poco::JSON::Object::Ptr(new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER)));
      }
      object = object->getObject(head).get();
      rest = rest.substr(dot + 1);
    }
    object->set(rest, value);
  }
  std::ostringstream out;
  root.stringify(out);
  return out.str();
}

inline Behaviour behaviourOf(const ProviderSpec& spec, const std::string& plugin_id,
                             Lifetime lifetime, const std::string& fake_url) {
  Behaviour behaviour;
  fakes::Options& options = behaviour.options;
  const auto& request = spec.token_request;
  options.client_auth = request.auth == ClientAuth::ClientSecretBasic ? fakes::ClientAuth::Basic
                                                                      : fakes::ClientAuth::Post;
  options.token_body =
      request.body == BodyEncoding::Json ? fakes::BodyFormat::Json : fakes::BodyFormat::Form;
  options.pkce = spec.pkce ? fakes::PkcePolicy::Required : fakes::PkcePolicy::Rejected;

  const auto& response = spec.token_response;
  const TokenResponseFields standard;
  for (const auto& [name, path, standard_path] :
       {std::tuple{"access_token", response.access_token, standard.access_token},
        std::tuple{"refresh_token", response.refresh_token, standard.refresh_token},
        std::tuple{"expires_in", response.expires_in, standard.expires_in},
        std::tuple{"scope", response.scope, standard.scope}}) {
    if (path != standard_path) options.token_field_paths[name] = path;
  }
  options.expires_in_ms = response.expires_in_unit == ExpiresInUnit::Milliseconds;
  if (lifetime == Lifetime::Default) options.omit_expires_in = true;
  if (lifetime == Lifetime::Never) options.access_token_ttl = std::chrono::seconds(0);
  for (const auto& [name, path] : response.capture) {
    if (isNativeTokenField(spec.auth, path)) continue;  // the fake answers it anyway
    behaviour.captured[name] = "captured-" + name;
    options.extra_fields.push_back({path, behaviour.captured[name]});
  }

  for (const auto& field : spec.connection_fields) {
    if (field.default_value) {
      behaviour.connection_fields[field.name] = *field.default_value;
      continue;
    }
    const auto value = valueMatching(field.pattern);
    if (!value) {
      behaviour.problems.push_back("no test value matches connection field " + field.name +
                                   "'s pattern " + field.pattern + ": add one to valueMatching()");
      continue;
    }
    behaviour.supplied_fields[field.name] = *value;
    behaviour.connection_fields[field.name] = *value;
  }
  for (const auto& name : spec.callback_capture) {
    options.callback_params.emplace_back(name, "callback-" + name);
    behaviour.connection_fields[name] = "callback-" + name;
  }
  if (!spec.issuer.empty()) options.callback_params.emplace_back("iss", fake_url);
  if (spec.post_connect) {
    Fields answer;
    for (const auto& [name, path] : spec.post_connect->capture) {
      answer[path] = "discovered-" + name;
      behaviour.connection_fields[name] = "discovered-" + name;
    }
    options.api_responses[kPostConnectPath] = {200, {}, jsonWithPaths(answer)};
  }
  stampLikeProvider(spec, behaviour);
  pluginQuirks(plugin_id, options);
  return behaviour;
}

// `${connection.x}` and `${credentials.x}` filled from `fields` and `captured`; a placeholder
// it does not know stays as it is, so a comparison with it fails visibly.
inline std::string filled(const std::string& text, const Fields& fields, const Fields& captured) {
  static const std::regex placeholder(R"(\$\{(connection|credentials)\.([A-Za-z0-9_]+)\})");
  std::string out;
  auto last = text.cbegin();
  for (std::sregex_iterator it(text.begin(), text.end(), placeholder), end; it != end; ++it) {
    const auto& match = *it;
    const Fields& values = match[1] == "connection" ? fields : captured;
    const auto value = values.find(match[2]);
    out.append(last, match[0].first);
    out += value == values.end() ? match[0].str() : value->second;
    last = match[0].second;
  }
  out.append(last, text.cend());
  return out;
}

// A form (or query string), percent-decoded with '+' as a space; the last of a repeated name.
inline Fields decodeForm(const std::string& text) {
  Fields params;
  std::istringstream pairs(text);
  for (std::string pair; std::getline(pairs, pair, '&');) {
    if (pair.empty()) continue;
    const auto equals = pair.find('=');
    std::string name = pair.substr(0, equals);
    std::string value = equals == std::string::npos ? "" : pair.substr(equals + 1);
    std::replace(name.begin(), name.end(), '+', ' ');
    std::replace(value.begin(), value.end(), '+', ' ');
    std::string decoded_name;
    std::string decoded_value;
    Poco::URI::decode(name, decoded_name);
    Poco::URI::decode(value, decoded_value);
    params[decoded_name] = decoded_value;
  }
  return params;
}

// The parameters a recorded request carried: its query, and its form or JSON body.
inline Fields requestParams(const fakes::RecordedRequest& request) {
  const auto question = request.target.find('?');
  Fields params =
      question == std::string::npos ? Fields{} : decodeForm(request.target.substr(question + 1));
  if (!request.body.empty() && request.body.front() == '{') {
    const auto object = Poco::JSON::Parser().parse(request.body).extract<Poco::JSON::Object::Ptr>();
    for (const auto& [name, value] : *object) params[name] = value.toString();
  } else {
    for (auto& [name, value] : decodeForm(request.body)) params[name] = std::move(value);
  }
  return params;
}

inline std::string joinedScopes(const ProviderSpec& spec) {
  std::string joined;
  for (const auto& scope : spec.scopes.defaults) {
    if (!joined.empty()) joined += spec.scopes.separator;
    joined += scope;
  }
  return joined;
}

}  // namespace keyhop::catalog::testing
