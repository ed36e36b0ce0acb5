#include "core/app/config.hpp"

#include <Poco/Exception.h>
#include <Poco/URI.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <functional>
#include <set>
#include <sstream>

extern char** environ;

namespace keyhop::app {
namespace {

// Strict numeric parsing shared by the file and the environment: the whole text must be the
// number, within [min, max].
template <typename T>
std::optional<T> parseNumber(const std::string& text, T min, T max) {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    return std::nullopt;
  }
  return value;
}

std::vector<std::filesystem::path> splitPathList(const std::string& text) {
  std::vector<std::filesystem::path> paths;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ':')) {
    if (!item.empty()) paths.emplace_back(item);
  }
  return paths;
}

bool parseBool(const std::string& text, bool& out) {
  if (text == "true" || text == "1" || text == "yes") return out = true, true;
  if (text == "false" || text == "0" || text == "no") return out = false, true;
  return false;
}

bool isPublicUrl(const std::string& text) {
  try {
    const Poco::URI uri(text);
    return (uri.getScheme() == "http" || uri.getScheme() == "https") && !uri.getHost().empty() &&
           uri.getUserInfo().empty() && uri.getRawQuery().empty() &&
           text.find_first_of("?#") == std::string::npos;
  } catch (const Poco::Exception&) {
    return false;
  }
}

const std::set<std::string> kLogLevels = {"fatal",  "critical",    "error", "warning",
                                          "notice", "information", "debug", "trace"};

// One setting, readable from a YAML scalar and from an environment variable alike.
struct Setting {
  std::string key;  // in the config file; empty for a setting only the environment may give
  std::string env;  // KEYHOP_*
  std::string expected;
  std::function<bool(const std::string&, Config&)> apply;  // false: the text is not valid
  bool list = false;    // the file may give a YAML sequence instead of a ':'-separated string
  bool secret = false;  // never echoed in an error
};

std::vector<Setting> settings() {
  auto unsignedSetting = [](unsigned Config::*member, unsigned min, unsigned max) {
    return [=](const std::string& text, Config& config) {
      auto value = parseNumber<unsigned>(text, min, max);
      if (value) config.*member = *value;
      return value.has_value();
    };
  };
  return {
      {"bind", "KEYHOP_BIND", "an IP address",
       [](const std::string& text, Config& config) {
         config.bind = text;
         return !text.empty();
       }},
      {"port", "KEYHOP_PORT", "a port number from 1 to 65535",
       [](const std::string& text, Config& config) {
         auto value = parseNumber<std::uint16_t>(text, 1, 65535);
         if (value) config.port = *value;
         return value.has_value();
       }},
      {"data_dir", "KEYHOP_DATA_DIR", "a directory",
       [](const std::string& text, Config& config) {
         config.data_dir = text;
         return !text.empty();
       }},
      {"store", "KEYHOP_STORE",
       "a store URL: sqlite:///path.db or postgresql://user:pass@host:port/db",
       [](const std::string& text, Config& config) {
         config.store = text;
         return text.rfind("sqlite://", 0) == 0 || text.rfind("postgresql://", 0) == 0 ||
                text.rfind("postgres://", 0) == 0;
       },
       false, true},
      {"master_key_file", "KEYHOP_MASTER_KEY_FILE", "a file path",
       [](const std::string& text, Config& config) {
         config.master_key_file = text;
         return !text.empty();
       }},
      {"", "KEYHOP_MASTER_KEYS", "ID:BASE64 pairs separated by ','",
       [](const std::string& text, Config& config) {
         config.master_keys = text;
         return !text.empty();
       },
       false, true},
      {"providers_path", "KEYHOP_PROVIDERS_PATH", "directories separated by ':'",
       [](const std::string& text, Config& config) {
         config.providers_path = splitPathList(text);
         return true;
       },
       true},
      {"plugin_path", "KEYHOP_PLUGIN_PATH", "directories separated by ':'",
       [](const std::string& text, Config& config) {
         config.plugin_path = splitPathList(text);
         return true;
       },
       true},
      {"log_level", "KEYHOP_LOG_LEVEL",
       "one of fatal, critical, error, warning, notice, information, debug, trace",
       [](const std::string& text, Config& config) {
         config.log_level = text;
         return kLogLevels.count(text) > 0;
       }},
      {"strict", "KEYHOP_STRICT", "true or false",
       [](const std::string& text, Config& config) { return parseBool(text, config.strict); }},
      {"reactor_threads", "KEYHOP_REACTOR_THREADS",
       "a number of threads from 0 (one per core) to 256",
       unsignedSetting(&Config::reactor_threads, 0, 256)},
      {"worker_threads", "KEYHOP_WORKER_THREADS", "a number of threads from 1 to 1024",
       unsignedSetting(&Config::worker_threads, 1, 1024)},
      {"max_body_bytes", "KEYHOP_MAX_BODY_BYTES", "a size in bytes from 1024 to 1073741824",
       [](const std::string& text, Config& config) {
         auto value = parseNumber<std::size_t>(text, 1024, std::size_t{1} << 30);
         if (value) config.max_body_bytes = *value;
         return value.has_value();
       }},
      {"public_url", "KEYHOP_PUBLIC_URL",
       "an absolute http or https URL without query, fragment or user info",
       [](const std::string& text, Config& config) {
         config.public_url = text;
         while (!config.public_url.empty() && config.public_url.back() == '/') {
           config.public_url.pop_back();
         }
         return isPublicUrl(config.public_url);
       }},
      {"ca_file", "KEYHOP_CA_FILE", "a PEM file of CA certificates",
       [](const std::string& text, Config& config) {
         config.ca_file = text;
         return !text.empty();
       }},
      {"proactive_refresh", "KEYHOP_PROACTIVE_REFRESH", "true or false",
       [](const std::string& text, Config& config) {
         return parseBool(text, config.proactive_refresh);
       }},
      {"proactive_refresh_interval_s", "KEYHOP_PROACTIVE_REFRESH_INTERVAL_S",
       "a number of seconds from 1 to 86400",
       unsignedSetting(&Config::proactive_refresh_interval_s, 1, 86400)},
      {"proactive_refresh_concurrency", "KEYHOP_PROACTIVE_REFRESH_CONCURRENCY",
       "a number of renewals from 1 to 256",
       unsignedSetting(&Config::proactive_refresh_concurrency, 1, 256)},
      {"proactive_refresh_jitter_s", "KEYHOP_PROACTIVE_REFRESH_JITTER_S",
       "a number of seconds from 0 to 3600",
       unsignedSetting(&Config::proactive_refresh_jitter_s, 0, 3600)},
      {"provider_connect_timeout_ms", "KEYHOP_PROVIDER_CONNECT_TIMEOUT_MS",
       "milliseconds from 1 to 600000",
       unsignedSetting(&Config::provider_connect_timeout_ms, 1, 600000)},
      {"provider_read_timeout_ms", "KEYHOP_PROVIDER_READ_TIMEOUT_MS",
       "milliseconds from 1 to 600000",
       unsignedSetting(&Config::provider_read_timeout_ms, 1, 600000)},
      {"refresh_lease_ms", "KEYHOP_REFRESH_LEASE_MS", "milliseconds from 2 to 3600000",
       unsignedSetting(&Config::refresh_lease_ms, 2, 3600000)},
  };
}

std::string position(const std::filesystem::path& file, const YAML::Mark& mark) {
  return file.string() + ":" + std::to_string(mark.line + 1) + ":" +
         std::to_string(mark.column + 1);
}

// A list in the file may be a YAML sequence or one ':'-separated string, like the variable.
std::string scalarText(const YAML::Node& node) {
  if (!node.IsSequence()) return node.Scalar();
  std::string joined;
  for (const auto& item : node) joined += (joined.empty() ? "" : ":") + item.Scalar();
  return joined;
}

void applyFile(const std::filesystem::path& file, const std::vector<Setting>& all, Config& config) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(file.string());
  } catch (const YAML::BadFile&) {
    throw ConfigError(file.string() + ": cannot read the config file");
  } catch (const YAML::Exception& e) {
    throw ConfigError(position(file, e.mark) + ": " + e.msg);
  }
  if (root.IsNull()) return;
  if (!root.IsMap()) throw ConfigError(file.string() + ": the config file must be a mapping");

  std::vector<std::string> problems;
  std::set<std::string> seen;
  for (const auto& item : root) {
    const std::string key = item.first.Scalar();
    const auto where = position(file, item.first.Mark());
    const auto setting = std::find_if(
        all.begin(), all.end(), [&](const Setting& s) { return !s.key.empty() && s.key == key; });
    if (setting == all.end()) {
      std::string known;
      for (const auto& s : all) {
        if (!s.key.empty()) known += (known.empty() ? "" : ", ") + s.key;
      }
      problems.push_back(where + ": unknown setting '" + key + "' (expected one of: " + known +
                         ")");
    } else if (!seen.insert(key).second) {
      problems.push_back(where + ": '" + key + "' is set twice");
    } else if (!(item.second.IsScalar() || (setting->list && item.second.IsSequence())) ||
               !setting->apply(scalarText(item.second), config)) {
      problems.push_back(position(file, item.second.Mark()) + ": '" + key + "' must be " +
                         setting->expected);
    }
  }
  if (!problems.empty()) {
    std::string message;
    for (const auto& problem : problems) message += (message.empty() ? "" : "\n") + problem;
    throw ConfigError(message);
  }
}

}  // namespace

Config loadConfig(const std::optional<std::filesystem::path>& file, const Environment& env,
                  const std::filesystem::path& install_dir) {
  Config config;
  config.providers_path = {install_dir / ".." / "share" / "keyhop" / "providers.d"};
  config.plugin_path = {install_dir / ".." / "lib" / "keyhop" / "plugins"};

  const auto all = settings();
  std::optional<std::filesystem::path> config_file = file;
  if (!config_file) {
    if (auto it = env.find("KEYHOP_CONFIG"); it != env.end() && !it->second.empty()) {
      config_file = it->second;
    }
  }
  if (config_file) applyFile(*config_file, all, config);

  for (const auto& setting : all) {
    auto it = env.find(setting.env);
    if (it == env.end()) continue;
    if (!setting.apply(it->second, config)) {
      const std::string shown = setting.secret ? "" : "='" + it->second + "'";
      throw ConfigError(setting.env + shown + ": expected " + setting.expected);
    }
  }
  if (config.store.empty()) config.store = "sqlite://" + (config.data_dir / "keyhop.db").string();
  if (config.master_key_file.empty()) config.master_key_file = config.data_dir / "master.keys";
  if (config.public_url.empty()) {
    const bool ipv6 = config.bind.find(':') != std::string::npos;
    config.public_url = "http://" + (ipv6 ? "[" + config.bind + "]" : config.bind) + ":" +
                        std::to_string(config.port);
  }
  const unsigned token_call = config.provider_connect_timeout_ms + config.provider_read_timeout_ms;
  if (config.refresh_lease_ms <= token_call) {
    throw ConfigError("refresh_lease_ms (" + std::to_string(config.refresh_lease_ms) +
                      ") must exceed provider_connect_timeout_ms + provider_read_timeout_ms (" +
                      std::to_string(token_call) +
                      "): a refresh still waiting for the provider must not lose its lease");
  }
  for (auto* paths : {&config.providers_path, &config.plugin_path}) {
    for (auto& path : *paths) path = path.lexically_normal();
  }
  return config;
}

Environment processEnvironment() {
  Environment env;
  for (char** entry = environ; entry && *entry; ++entry) {
    std::string text(*entry);
    auto eq = text.find('=');
    if (eq != std::string::npos) env.emplace(text.substr(0, eq), text.substr(eq + 1));
  }
  return env;
}

}  // namespace keyhop::app
