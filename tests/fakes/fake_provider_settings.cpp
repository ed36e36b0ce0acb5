#include "tests/fakes/fake_provider_settings.hpp"

#include <Poco/NumberParser.h>
#include <yaml-cpp/yaml.h>

#include <functional>
#include <sstream>

namespace keyhop::fakes {

namespace {

using Apply = std::function<std::string(StandaloneConfig&, const std::string&)>;

struct Setting {
  const char* name;
  const char* argument;  // nullptr: a boolean flag
  const char* help;
  Apply apply;
};

Apply flag(bool Options::*member) {
  return [member](StandaloneConfig& config, const std::string& value) -> std::string {
    if (value == "true") {
      config.options.*member = true;
    } else if (value == "false") {
      config.options.*member = false;
    } else {
      return "expects true or false";
    }
    return "";
  };
}

Apply text(std::string Options::*member) {
  return [member](StandaloneConfig& config, const std::string& value) {
    config.options.*member = value;
    return std::string();
  };
}

Apply seconds(std::chrono::seconds Options::*member) {
  return [member](StandaloneConfig& config, const std::string& value) -> std::string {
    unsigned n = 0;
    if (!Poco::NumberParser::tryParseUnsigned(value, n)) return "expects seconds";
    config.options.*member = std::chrono::seconds(n);
    return "";
  };
}

Apply delay(Endpoint endpoint) {
  return [endpoint](StandaloneConfig& config, const std::string& value) -> std::string {
    unsigned n = 0;
    if (!Poco::NumberParser::tryParseUnsigned(value, n)) return "expects milliseconds";
    config.options.delays[endpoint] = std::chrono::milliseconds(n);
    return "";
  };
}

template <typename Enum>
Apply choice(Enum Options::*member, std::vector<std::pair<const char*, Enum>> names) {
  return [member, names](StandaloneConfig& config, const std::string& value) -> std::string {
    std::string expected;
    for (const auto& [name, enumerator] : names) {
      if (value == name) {
        config.options.*member = enumerator;
        return "";
      }
      expected += expected.empty() ? name : std::string("|") + name;
    }
    return "expects " + expected;
  };
}

// "a=b" -> {a, b}; empty when there is no '='.
std::optional<std::pair<std::string, std::string>> splitPair(const std::string& value) {
  const std::size_t eq = value.find('=');
  if (eq == std::string::npos || eq == 0) return std::nullopt;
  return std::make_pair(value.substr(0, eq), value.substr(eq + 1));
}

const std::vector<Setting>& settings() {
  static const std::vector<Setting> table = {
      {"port", "N", "port on 127.0.0.1 (default 0: any free port)",
       [](StandaloneConfig& config, const std::string& value) -> std::string {
         unsigned n = 0;
         if (!Poco::NumberParser::tryParseUnsigned(value, n) || n > 65535) return "expects a port";
         config.server.port = static_cast<std::uint16_t>(n);
         return "";
       }},
      {"threads", "N", "threads = concurrent keep-alive connections served (default 128)",
       [](StandaloneConfig& config, const std::string& value) -> std::string {
         unsigned n = 0;
         if (!Poco::NumberParser::tryParseUnsigned(value, n) || n == 0) return "expects N > 0";
         config.server.threads = static_cast<int>(n);
         return "";
       }},
      {"client", "ID:SECRET[:REDIRECT_URI]",
       "registered client, repeatable (default client-id:client-secret, any redirect URI)",
       [](StandaloneConfig& config, const std::string& value) -> std::string {
         const std::size_t colon = value.find(':');
         if (colon == std::string::npos || colon == 0) return "expects ID:SECRET";
         const std::size_t second = value.find(':', colon + 1);
         Client client{value.substr(0, colon), value.substr(colon + 1, second - colon - 1), {}};
         if (second != std::string::npos) client.redirect_uris = {value.substr(second + 1)};
         if (!config.clients_given) config.options.clients.clear();
         config.clients_given = true;
         config.options.clients.push_back(std::move(client));
         return "";
       }},
      {"user", "NAME", "the user who approves (default user-1)", text(&Options::user)},
      {"deny", nullptr, "the user denies every authorization", flag(&Options::deny)},
      {"callback-param", "NAME=VALUE", "extra callback parameter, repeatable (realmId=123)",
       [](StandaloneConfig& config, const std::string& value) -> std::string {
         auto pair = splitPair(value);
         if (!pair) return "expects NAME=VALUE";
         config.options.callback_params.push_back(std::move(*pair));
         return "";
       }},
      {"pkce", "optional|required|rejected", "PKCE policy (default optional)",
       choice(&Options::pkce, {{"optional", PkcePolicy::Optional},
                               {"required", PkcePolicy::Required},
                               {"rejected", PkcePolicy::Rejected}})},
      {"code-ttl", "SECONDS", "authorization code lifetime (default 600)",
       seconds(&Options::code_ttl)},
      {"client-auth", "any|basic|post", "client authentication wanted (default any)",
       choice(
           &Options::client_auth,
           {{"any", ClientAuth::Any}, {"basic", ClientAuth::Basic}, {"post", ClientAuth::Post}})},
      {"token-body", "any|form|json", "token request bodies accepted (default any)",
       choice(&Options::token_body,
              {{"any", BodyFormat::Any}, {"form", BodyFormat::Form}, {"json", BodyFormat::Json}})},
      {"access-token-ttl", "SECONDS", "access token lifetime; 0 never expires (default 3600)",
       seconds(&Options::access_token_ttl)},
      {"issue-refresh-tokens", nullptr, "issue refresh tokens (default true)",
       flag(&Options::issue_refresh_tokens)},
      {"rotate-refresh-tokens", nullptr, "a refresh rotates the refresh token",
       flag(&Options::rotate_refresh_tokens)},
      {"revoke-on-code-replay", nullptr, "a replayed code revokes its tokens (default true)",
       flag(&Options::revoke_on_code_replay)},
      {"granted-scope", "SCOPE", "scope granted whatever was asked", text(&Options::granted_scope)},
      {"response-format", "json|form|form-unless-accept-json", "token answers (default json)",
       choice(&Options::response_format,
              {{"json", ResponseFormat::Json},
               {"form", ResponseFormat::Form},
               {"form-unless-accept-json", ResponseFormat::FormUnlessAcceptJson}})},
      {"nest-tokens-under", "KEY", "token fields in a sub-object (authed_user)",
       text(&Options::nest_tokens_under)},
      {"omit-expires-in", nullptr, "no expires_in (tokens still expire)",
       flag(&Options::omit_expires_in)},
      {"expires-in-ms", nullptr, "expires_in in milliseconds", flag(&Options::expires_in_ms)},
      {"token-errors-as-200", nullptr, "token errors with HTTP 200",
       flag(&Options::token_errors_as_200)},
      {"slack-style", nullptr, "ok:true/false bodies; auth failures are 200 ok:false",
       flag(&Options::slack_style)},
      {"garbage-token-body", nullptr, "token answers are unparsable",
       flag(&Options::garbage_token_body)},
      {"extra-field", "PATH=VALUE", "extra token answer field, repeatable (team.id=T1)",
       [](StandaloneConfig& config, const std::string& value) -> std::string {
         auto pair = splitPair(value);
         if (!pair) return "expects PATH=VALUE";
         config.options.extra_fields.push_back({pair->first, pair->second});
         return "";
       }},
      {"token-delay-ms", "MS", "delay every token answer", delay(Endpoint::Token)},
      {"api-delay-ms", "MS", "delay every API answer", delay(Endpoint::Api)},
      {"cancel-when-client-leaves", nullptr, "drop a delayed request whose client hung up",
       flag(&Options::cancel_when_client_leaves)},
      {"timestamp-window", "SECONDS", "OAuth1 timestamp tolerance (default 300)",
       seconds(&Options::timestamp_window)},
      {"api-auth", "bearer|header|query|basic|oauth1", "how the API wants the credential",
       choice(&Options::api_auth, {{"bearer", ApiAuth::Bearer},
                                   {"header", ApiAuth::Header},
                                   {"query", ApiAuth::Query},
                                   {"basic", ApiAuth::Basic},
                                   {"oauth1", ApiAuth::OAuth1}})},
      {"api-header", "NAME", "header for --api-auth header (default X-Api-Key)",
       text(&Options::api_header)},
      {"api-query", "NAME", "parameter for --api-auth query (default access_token)",
       text(&Options::api_query)},
      {"credential", "VALUE[=USER]", "a credential the API accepts forever, repeatable",
       [](StandaloneConfig& config, const std::string& value) -> std::string {
         if (value.empty()) return "expects a value";
         const auto pair = splitPair(value);
         config.credentials.emplace_back(pair ? pair->first : value,
                                         pair ? pair->second : config.options.user);
         return "";
       }},
  };
  return table;
}

const Setting* findSetting(const std::string& name) {
  for (const auto& setting : settings()) {
    if (name == setting.name) return &setting;
  }
  return nullptr;
}

}  // namespace

std::string applySetting(StandaloneConfig& config, const std::string& name,
                         const std::string& value) {
  const Setting* setting = findSetting(name);
  if (setting == nullptr) return "unknown setting";
  return setting->apply(config, value);
}

std::vector<std::string> loadConfigFile(const std::string& path, StandaloneConfig& config) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& error) {
    return {path + ": " + error.what()};
  }
  if (!root.IsMap()) return {path + ": expects a map of setting names to values"};
  std::vector<std::string> errors;
  for (const auto& entry : root) {
    const auto name = entry.first.as<std::string>();
    std::vector<std::string> values;
    if (entry.second.IsSequence()) {
      for (const auto& item : entry.second) values.push_back(item.as<std::string>(""));
    } else if (entry.second.IsScalar()) {
      values.push_back(entry.second.as<std::string>());
    } else {
      errors.push_back(path + ": " + name + ": expects a value or a list");
      continue;
    }
    for (const auto& value : values) {
      const std::string error = applySetting(config, name, value);
      if (!error.empty()) errors.push_back(path + ": " + name + ": " + error);
    }
  }
  return errors;
}

std::vector<std::string> parseArguments(const std::vector<std::string>& args,
                                        StandaloneConfig& config) {
  std::vector<std::string> errors;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      config.help = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0) {
      errors.push_back(arg + ": unexpected argument");
      continue;
    }
    const std::size_t eq = arg.find('=');
    const std::string name = arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    std::optional<std::string> value;
    if (eq != std::string::npos) value = arg.substr(eq + 1);
    const Setting* setting = findSetting(name);
    if (name != "config" && setting == nullptr) {
      errors.push_back("--" + name + ": unknown flag");
      continue;
    }
    if (!value && (name == "config" || setting->argument != nullptr)) {
      if (i + 1 == args.size()) {
        errors.push_back("--" + name + ": expects a value");
        continue;
      }
      value = args[++i];
    }
    if (name == "config") {
      const auto file_errors = loadConfigFile(*value, config);
      errors.insert(errors.end(), file_errors.begin(), file_errors.end());
      continue;
    }
    const std::string error = setting->apply(config, value.value_or("true"));
    if (!error.empty()) errors.push_back("--" + name + ": " + error);
  }
  return errors;
}

std::string usage() {
  std::ostringstream out;
  out << "usage: fake-provider [--config FILE] [--FLAG[=VALUE]]...\n"
         "Serves a fake OAuth provider on 127.0.0.1 and prints its URL; stops on SIGINT or "
         "SIGTERM.\nA config file is a YAML map of the flag names below (lists for repeatable "
         "ones).\n\n";
  for (const auto& setting : settings()) {
    std::string left = std::string("  --") + setting.name;
    left += setting.argument != nullptr ? std::string(" ") + setting.argument : "[=true|false]";
    out << left;
    out << (left.size() < 42 ? std::string(42 - left.size(), ' ') : "\n" + std::string(42, ' '));
    out << setting.help << '\n';
  }
  return out.str();
}

}  // namespace keyhop::fakes
