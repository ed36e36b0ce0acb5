#include "core/app/serve.hpp"

#include <Poco/Logger.h>
#include <pthread.h>

#include <chrono>
#include <csignal>
#include <memory>

#include "core/app/logging.hpp"
#include "core/app/store_access.hpp"
#include "core/credentials/credentials_engine.hpp"
#include "core/credentials/proactive_refresher.hpp"
#include "core/flows/http_client.hpp"
#include "core/registry/registry.hpp"
#include "core/server/account_auth.hpp"
#include "core/server/api_routes.hpp"
#include "core/server/handlers/upstream_service.hpp"
#include "core/server/http_server.hpp"
#include "core/vault/key_file_watcher.hpp"

namespace keyhop::app {
namespace {

// SIGINT and SIGTERM are blocked in every thread (threads inherit the mask of the thread that
// creates them, so this runs first) and taken synchronously by sigwait in the main thread.
sigset_t blockTerminationSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

}  // namespace

int serve(const Config& config, std::ostream& err) {
  const sigset_t signals = blockTerminationSignals();
  configureLogging(config.log_level);
  auto& log = Poco::Logger::get("keyhop");

  registry::LoadErrors errors;
  const auto providers =
      registry::Registry::load({config.providers_path, config.plugin_path}, errors);
  for (const auto& error : errors) log.warning("skipped: " + error.toString());
  if (config.strict && !errors.empty()) {
    err << "keyhop: not starting (--strict): " << errors.size()
        << " problem(s) in the catalog, listed above\n";
    return 1;
  }

  OpenedStore opened;
  try {
    opened = openConfiguredStore(config);
  } catch (const std::runtime_error& e) {
    err << "keyhop: cannot open the store: " << e.what() << "\n";
    return 1;
  }
  log.information("store at schema version " + std::to_string(opened.store->schemaVersion()) +
                  ", master key " + opened.vault->keys()->active().id);

  // Keys from the file follow it, so rotation and retirement reach this process while it runs;
  // keys from the environment change only with a restart.
  std::unique_ptr<vault::KeyFileWatcher> key_file_watcher;
  if (config.master_keys.empty()) {
    key_file_watcher =
        std::make_unique<vault::KeyFileWatcher>(*opened.vault, config.master_key_file);
  }

  server::AccountAuthenticator accounts(*opened.store);
  server::Router router;
  flows::HttpClientOptions http_options;
  http_options.ca_file = config.ca_file;
  http_options.connect_timeout = std::chrono::milliseconds(config.provider_connect_timeout_ms);
  http_options.read_timeout = std::chrono::milliseconds(config.provider_read_timeout_ms);
  std::unique_ptr<flows::HttpClient> http;
  try {
    http = std::make_unique<flows::HttpClient>(http_options);
  } catch (const std::exception& e) {
    err << "keyhop: cannot use ca_file " << config.ca_file << ": " << e.what() << "\n";
    return 1;
  }
  credentials::EngineOptions engine_options;
  engine_options.refresh_lease = std::chrono::milliseconds(config.refresh_lease_ms);
  credentials::CredentialsEngine credentials(providers, *opened.store, *http, engine_options);
  server::addApiRoutes(router,
                       {providers, *opened.store, accounts, *http, credentials, config.public_url});
  server::ServerOptions options;
  options.bind_address = config.bind;
  options.port = config.port;
  options.reactor_threads = config.reactor_threads;
  options.worker_threads = config.worker_threads;
  options.max_body_bytes = config.max_body_bytes;
  proxy::UpstreamOptions upstream;
  upstream.ca_file = config.ca_file;
  options.reactor_service = server::upstreamServices(upstream);
  server::HttpServer server(router, options);
  try {
    server.start();
  } catch (const std::runtime_error& e) {
    err << "keyhop: " << e.what() << "\n";
    return 1;
  }
  log.information("listening on http://" + config.bind + ":" + std::to_string(server.port()) +
                  " with " + std::to_string(providers.size()) + " providers");

  std::unique_ptr<credentials::ProactiveRefresher> refresher;
  if (config.proactive_refresh) {
    credentials::ProactiveOptions proactive;
    proactive.scan_interval = std::chrono::seconds(config.proactive_refresh_interval_s);
    proactive.jitter = std::chrono::seconds(config.proactive_refresh_jitter_s);
    proactive.concurrency = config.proactive_refresh_concurrency;
    refresher = std::make_unique<credentials::ProactiveRefresher>(providers, *opened.store,
                                                                  credentials, proactive);
    log.information("proactive refresh every " +
                    std::to_string(config.proactive_refresh_interval_s) + " s, " +
                    std::to_string(config.proactive_refresh_concurrency) + " at once");
  }

  int signal = 0;
  sigwait(&signals, &signal);
  log.information(std::string("stopping on ") + (signal == SIGINT ? "SIGINT" : "SIGTERM"));
  // Renewals in flight finish (a rotated token is committed); none starts after this.
  if (refresher) refresher->stop();
  server.stop();
  log.information("stopped");
  return 0;
}

}  // namespace keyhop::app
