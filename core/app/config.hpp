#pragma once

// keyhop's settings: defaults that serve a newcomer, then an optional YAML file, then KEYHOP_*
// environment variables, each layer overriding the one before (docs/configuration.md).

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace keyhop::app {

using Environment = std::map<std::string, std::string>;

struct Config {
  std::string bind = "127.0.0.1";
  std::uint16_t port = 8080;
  std::filesystem::path data_dir = "var";
  // sqlite:///abs/path.db, sqlite://relative.db or postgresql://user:pass@host:port/db; the
  // default is an SQLite file in data_dir.
  std::string store;
  // Master keys: the file (one "ID BASE64" line per key, mode 0600), unless KEYHOP_MASTER_KEYS
  // ("ID:BASE64,...") gives them; the first key is active.
  std::filesystem::path master_key_file;
  std::string master_keys;
  std::vector<std::filesystem::path> providers_path;
  std::vector<std::filesystem::path> plugin_path;
  std::string log_level = "information";
  bool strict = false;           // refuse to start when any descriptor or plugin is invalid
  unsigned reactor_threads = 0;  // 0: one per core
  unsigned worker_threads = 8;
  std::size_t max_body_bytes = 1 << 20;
  // Where browsers and providers reach keyhop (connect links, OAuth callbacks), without a
  // trailing '/'; the default is http://<bind>:<port>.
  std::string public_url;
  // The CA certificates keyhop verifies providers' TLS certificates with; empty: the system's.
  std::string ca_file;
  // keyhop's own calls to providers (token endpoints, post_connect; not the proxy): how long to
  // wait for a connection, then for each read of the answer.
  unsigned provider_connect_timeout_ms = 5000;
  unsigned provider_read_timeout_ms = 15000;
  // How long one instance may hold a connection's refresh lease; more than the two timeouts
  // above together (loadConfig checks), so a live refresh never outlasts it.
  unsigned refresh_lease_ms = 30000;
  // The proactive refresher (docs/credentials.md): on or off, seconds between passes, renewals
  // in flight at once, and the most seconds a wait is shortened by at random.
  bool proactive_refresh = true;
  unsigned proactive_refresh_interval_s = 60;
  unsigned proactive_refresh_concurrency = 8;
  unsigned proactive_refresh_jitter_s = 10;
};

// Thrown for a config file or variable that cannot be used; the message names the source
// (file:line:column or the variable) and what was expected.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// `file` is the --config argument; without one, KEYHOP_CONFIG names the file, if set.
// `install_dir` is the directory of the keyhop executable: the default catalog and plugins
// are found relative to it (../share/keyhop/providers.d, ../lib/keyhop/plugins).
Config loadConfig(const std::optional<std::filesystem::path>& file, const Environment& env,
                  const std::filesystem::path& install_dir);

// The process environment as a map.
Environment processEnvironment();

}  // namespace keyhop::app
