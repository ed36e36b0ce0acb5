// keyhop_refresh_bench: a storm of connections whose access tokens all expire at once, renewed
// against the fake provider over loopback, on SQLite and on a throwaway PostgreSQL cluster. Run
// by `scripts/bench refresh`, which puts the Markdown report into docs/benchmarks.md.
//
// For each store, in one run:
// 1. the fake alone: `concurrency` threads send refresh grants straight to its token endpoint
//    with keyhop's own token client (flows::refreshTokens), one per token pair: the most the
//    fake and the loopback can answer, the anchor of the ratios;
// 2. the proactive refresher's first pass over N connections expiring within the margin;
// 3. the fake alone again at the engine storm's concurrency;
// 4. the hot path's storm: every token expired, CredentialsEngine::fresh called for every
//    connection by two callers at once, `callers` threads in all.
// Each keyhop run must cost exactly one token-endpoint call per connection (single-flight, no
// retry, no stale refresh token presented); a run that does not is reported and the process
// exits 1, so the script writes nothing.

#include <Poco/AutoPtr.h>
#include <Poco/Logger.h>
#include <Poco/NullChannel.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/credentials/credentials_engine.hpp"
#include "core/credentials/proactive_refresher.hpp"
#include "core/flows/http_client.hpp"
#include "core/flows/token_client.hpp"
#include "core/registry/registry.hpp"
#include "core/store/store.hpp"
#include "core/store/unix_time.hpp"
#include "core/vault/vault.hpp"
#include "tests/bench/bench_run.hpp"
#include "tests/fakes/fake_provider.hpp"
#include "tests/support/master_keys.hpp"
#include "tests/support/postgres_cluster.hpp"
#include "tests/support/temp_dir.hpp"

namespace keyhop::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr const char* kUsage =
    "usage: keyhop_refresh_bench [--connections N] [--concurrency N] [--callers N]\n"
    "                            [--backend sqlite|postgresql] [--report FILE]\n";

struct Options {
  std::size_t connections = 10'000;
  std::size_t concurrency = 8;  // the proactive refresher's renewals in flight
  std::size_t callers = 64;     // threads calling fresh() in the engine storm
  std::vector<std::string> backends = {"sqlite", "postgresql"};
  std::string report;  // where the Markdown goes; empty: nowhere
};

// Runs `work(i)` for i in [0, count) on `threads` threads; returns the wall time in seconds.
double spread(std::size_t count, std::size_t threads,
              const std::function<void(std::size_t)>& work) {
  std::atomic<std::size_t> next{0};
  std::vector<std::thread> pool;
  const auto start = SteadyClock::now();
  for (std::size_t t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      while (!interrupted) {
        const std::size_t i = next++;
        if (i >= count) return;
        work(i);
      }
    });
  }
  for (auto& thread : pool) thread.join();
  checkInterrupted();
  return secondsSince(start);
}

// --- one measured run ---

struct Run {
  std::string name;
  std::size_t in_flight = 0;  // concurrency asked for
  std::size_t expected = 0;   // token-endpoint calls it must cost
  double seconds = 0;
  int calls = 0;             // token-endpoint calls the fake counted
  int errors = 0;            // error answers the fake gave
  int peak = 0;              // most token requests the fake answered at once
  std::uint64_t failed = 0;  // keyhop's own count of failed renewals
  double anchor_rate = 0;    // the fake alone at the same concurrency, refreshes/s

  double rate() const { return seconds > 0 ? calls / seconds : 0; }
  bool clean() const { return calls == static_cast<int>(expected) && errors == 0 && failed == 0; }
};

// --- the stores ---

class Target {
 public:
  virtual ~Target() = default;
  virtual std::string name() const = 0;
  virtual std::string url() const = 0;
};

class SqliteTarget final : public Target {
 public:
  std::string name() const override { return "SQLite (WAL, synchronous=FULL)"; }
  std::string url() const override { return "sqlite://" + (dir_.path() / "keyhop.db").string(); }

 private:
  test::TempDir dir_;
};

class PostgresTarget final : public Target {
 public:
  PostgresTarget() : server_(test::startPostgres()) {}
  ~PostgresTarget() override { test::stopPostgres(server_); }
  PostgresTarget(const PostgresTarget&) = delete;
  PostgresTarget& operator=(const PostgresTarget&) = delete;

  std::string name() const override { return "PostgreSQL 15 (throwaway cluster, fsync=off)"; }
  std::string url() const override { return server_.url("postgres"); }

 private:
  test::PostgresServer server_;
};

// --- the storm on one store ---

struct BackendResult {
  std::string name;
  double seed_seconds = 0;
  std::vector<Run> runs;
  double store_writes_rate = 0;  // Store::updateCredentials alone, per second
};

class Storm final {
 public:
  Storm(const Target& target, const Options& options)
      : options_(options),
        fake_(fakeOptions(), {0, 512}),
        vault_(vault::KeyRing::parse(test::generatedMasterKeys(), "bench keys")) {
    dir_.write("providers.d/bench-oauth2.yaml",
               "id: bench-oauth2\nname: Benchmark OAuth2\nauth: oauth2\nauthorize_url: " +
                   fake_.url() + "/oauth/authorize\ntoken_url: " + fake_.url() +
                   "/oauth/token\nrefresh: {rotates_refresh_token: true, margin_s: 300}\n"
                   "api: {base_url: \"" +
                   fake_.url() + "/api\"}\n");
    registry::LoadErrors errors;
    providers_ = std::make_unique<registry::Registry>(
        registry::Registry::load({{dir_.path() / "providers.d"}, {}}, errors));
    if (!errors.empty()) throw std::runtime_error(errors.front().toString());
    store_ = store::openStore(target.url(), vault_);
    credentials::EngineOptions engine;
    engine.cache_capacity = 2 * options_.connections;
    engine.now = [this] { return store::unixNow() + offset_.load(); };
    engine_ = std::make_unique<credentials::CredentialsEngine>(*providers_, *store_, http_, engine);
  }

  BackendResult run(const std::string& name) {
    BackendResult result;
    result.name = name;
    result.seed_seconds = seed();
    std::cout << "  seeded " << options_.connections << " connections in " << result.seed_seconds
              << " s" << std::endl;
    const double anchor = fakeAlone(options_.concurrency, "worker-anchor-");
    result.runs.push_back(proactivePass(anchor));
    const double storm_anchor = fakeAlone(options_.callers, "storm-anchor-");
    result.runs.push_back(engineStorm(storm_anchor));
    result.store_writes_rate = storeAlone(options_.concurrency);
    return result;
  }

 private:
  static fakes::Options fakeOptions() {
    fakes::Options options;
    options.rotate_refresh_tokens = true;  // a stale refresh token would be an error answer
    return options;
  }

  // N connections whose tokens expire within a minute, in batches of 1,000.
  double seed() {
    const auto start = SteadyClock::now();
    const auto account = store_->createAccount("bench");
    if (!account) throw std::runtime_error("cannot create the benchmark account");
    store::NewIntegration integration;
    integration.account_id = account.value->account.id;
    integration.provider = "bench-oauth2";
    integration.client_id = "client-id";
    integration.client_secret = "client-secret";
    const auto created = store_->createIntegration(integration);
    if (!created) throw std::runtime_error("cannot create the benchmark integration");
    const std::int64_t expires_at = store::unixNow() + 60;
    std::vector<store::NewConnection> batch;
    for (std::size_t i = 0; i < options_.connections; ++i) {
      const std::string user = "user-" + std::to_string(i);
      const auto tokens = fake_.issueTokens(user);
      store::NewConnection connection;
      connection.key = {integration.account_id, created.value->info.id, user};
      connection.credentials.access_token = tokens.access_token;
      connection.credentials.refresh_token = tokens.refresh_token;
      connection.credentials.expires_at = expires_at;
      connection.raw_token_response = "{}";
      keys_.push_back(connection.key);
      batch.push_back(std::move(connection));
      if (batch.size() == 1000 || i + 1 == options_.connections) {
        for (const auto& upserted : store_->upsertConnections(batch)) {
          if (!upserted) throw std::runtime_error("cannot store a benchmark connection");
        }
        batch.clear();
        checkInterrupted();
      }
    }
    return secondsSince(start);
  }

  // The fake's own rate: N refresh grants on fresh token pairs, `threads` at once, through
  // keyhop's token client but nothing else of keyhop.
  double fakeAlone(std::size_t threads, const std::string& user_prefix) {
    std::vector<std::string> refresh_tokens;
    for (std::size_t i = 0; i < options_.connections; ++i) {
      refresh_tokens.push_back(fake_.issueTokens(user_prefix + std::to_string(i)).refresh_token);
    }
    const auto* entry = providers_->find("bench-oauth2");
    fake_.resetCounters();
    std::atomic<int> failures{0};
    const double seconds = spread(options_.connections, threads, [&](std::size_t i) {
      Credentials current;
      current.refresh_token = refresh_tokens[i];
      if (!flows::refreshTokens(http_, entry->spec, *entry->hooks, {"client-id", "client-secret"},
                                current)) {
        ++failures;
      }
    });
    const auto counters = fake_.counters();
    if (failures != 0 || counters.refreshes != static_cast<int>(options_.connections) ||
        counters.token_errors != 0) {
      throw std::runtime_error("the fake alone failed " + std::to_string(failures.load()) +
                               " of its refreshes");
    }
    const double rate = options_.connections / seconds;
    std::cout << "  the fake alone, " << threads << " at once: " << rate << " refreshes/s"
              << std::endl;
    return rate;
  }

  Run proactivePass(double anchor) {
    Run run{"proactive refresher, one pass", options_.concurrency, options_.connections};
    run.anchor_rate = anchor;
    fake_.resetCounters();
    credentials::ProactiveOptions proactive;
    proactive.scan_interval = std::chrono::minutes(1);
    proactive.jitter = std::chrono::milliseconds(0);
    proactive.concurrency = options_.concurrency;
    proactive.now = [this] { return store::unixNow() + offset_.load(); };
    const auto start = SteadyClock::now();
    credentials::ProactiveRefresher refresher(*providers_, *store_, *engine_, proactive);
    while (!refresher.waitForPasses(1, std::chrono::milliseconds(200))) checkInterrupted();
    run.seconds = secondsSince(start);
    refresher.stop();
    run.failed = refresher.stats().failed;
    return finish(std::move(run));
  }

  // Every token expired; each connection asked for by two callers at once.
  Run engineStorm(double anchor) {
    Run run{"engine fresh(), 2 callers per connection", options_.callers, options_.connections};
    run.anchor_rate = anchor;
    offset_ += 2 * 3600;  // past the renewed tokens' expiry
    fake_.resetCounters();
    std::atomic<std::uint64_t> failed{0};
    run.seconds = spread(2 * keys_.size(), options_.callers, [&](std::size_t i) {
      if (!engine_->fresh(keys_[i / 2])) ++failed;
    });
    run.failed = failed;
    return finish(std::move(run));
  }

  // What the store alone commits: one credentials write per connection, `threads` at once, as
  // many as a renewal writes its new tokens (a renewal also reads, and takes a refresh lease).
  double storeAlone(std::size_t threads) {
    std::vector<store::Connection> stored;
    for (const auto& key : keys_) {
      auto connection = store_->findConnection(key);
      if (!connection) throw std::runtime_error("a benchmark connection is gone");
      stored.push_back(std::move(*connection));
    }
    std::atomic<int> failures{0};
    const double seconds = spread(stored.size(), threads, [&](std::size_t i) {
      const store::Connection& connection = stored[i];
      if (!store_->updateCredentials(connection.info.id, connection.info.version,
                                     connection.credentials, connection.raw_token_response)) {
        ++failures;
      }
    });
    if (failures != 0) throw std::runtime_error("the store alone failed a write");
    const double rate = stored.size() / seconds;
    std::cout << "  the store alone, " << threads << " at once: " << rate << " credential writes/s"
              << std::endl;
    return rate;
  }

  Run finish(Run run) {
    const auto counters = fake_.counters();
    run.calls = counters.token_requests;
    run.errors = counters.token_errors;
    run.peak = counters.token_peak_in_flight;
    std::cout << "  " << run.name << ": " << run.seconds << " s, " << run.calls
              << " token-endpoint calls, " << run.rate() << " refreshes/s, peak " << run.peak
              << " in flight, " << run.errors << " error answers, " << run.failed << " failed"
              << std::endl;
    return run;
  }

  const Options& options_;
  test::TempDir dir_;
  fakes::FakeProvider fake_;
  vault::Vault vault_;
  std::unique_ptr<registry::Registry> providers_;
  std::unique_ptr<store::Store> store_;
  flows::HttpClient http_;
  std::atomic<std::int64_t> offset_{0};  // seconds added to the clock the engine sees
  std::unique_ptr<credentials::CredentialsEngine> engine_;
  std::vector<store::ConnectionKey> keys_;
};

// --- the report ---

std::string report(const std::vector<BackendResult>& results, const Options& options) {
  std::ostringstream out;
  out << "A storm of " << grouped(static_cast<double>(options.connections))
      << " connections whose access tokens expire at once (within the descriptor's 300 s "
         "margin), renewed against the fake provider (`tests/fakes`, rotating refresh tokens, "
         "no delay) over loopback, one new TCP connection per token request. \"Fake alone\": "
         "the same number of refresh grants sent straight to the fake with keyhop's token "
         "client at the same concurrency, in the same run: the ceiling the ratio is taken "
         "against. Token-endpoint calls are the fake's own count and must equal the number of "
         "connections (one per connection: single-flight, no retry, no stale refresh token).\n";
  for (const auto& result : results) {
    out << "\n### " << result.name << "\n\n"
        << "Seeding " << grouped(static_cast<double>(options.connections))
        << " connections: " << fixed(result.seed_seconds, 1)
        << " s. The store alone (`updateCredentials`, " << options.concurrency
        << " threads, no token endpoint): " << grouped(result.store_writes_rate)
        << " credential writes/s.\n\n"
        << "| run | in flight | wall time | token-endpoint calls | refreshes/s | fake alone, "
           "refreshes/s | keyhop / fake alone | peak in flight at the fake | failed |\n"
        << "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n";
    for (const auto& run : result.runs) {
      out << "| " << run.name << " | " << run.in_flight << " | " << fixed(run.seconds, 2) << " s | "
          << grouped(run.calls) << " | " << grouped(run.rate()) << " | " << grouped(run.anchor_rate)
          << " | " << fixed(run.rate() / run.anchor_rate, 2) << "x | " << run.peak << " | "
          << run.failed + static_cast<std::uint64_t>(run.errors) << " |\n";
    }
  }
  return out.str();
}

// --- command line ---

std::optional<Options> parse(int argc, char** argv) {
  Options options;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string flag = argv[i];
      if (i + 1 >= argc) return std::nullopt;
      const std::string value = argv[++i];
      if (flag == "--connections") {
        options.connections = positiveCount(value);
      } else if (flag == "--concurrency") {
        options.concurrency = positiveCount(value);
      } else if (flag == "--callers") {
        options.callers = positiveCount(value);
      } else if (flag == "--backend" && (value == "sqlite" || value == "postgresql")) {
        options.backends = {value};
      } else if (flag == "--report") {
        options.report = value;
      } else {
        return std::nullopt;
      }
    }
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return options;
}

int run(const Options& options) {
  // Every renewal logs a line at `information`: formatted as in production, written nowhere.
  Poco::Logger::get("keyhop.credentials").setChannel(Poco::AutoPtr(new Poco::NullChannel));
  std::vector<BackendResult> results;
  bool clean = true;
  for (const auto& backend : options.backends) {
    checkInterrupted();
    std::unique_ptr<Target> target;
    if (backend == "sqlite") {
      target = std::make_unique<SqliteTarget>();
    } else {
      std::cout << "starting a throwaway PostgreSQL cluster" << std::endl;
      target = std::make_unique<PostgresTarget>();
    }
    std::cout << target->name() << std::endl;
    Storm storm(*target, options);
    results.push_back(storm.run(target->name()));
    for (const auto& run : results.back().runs) clean = clean && run.clean();
  }
  const std::string markdown = report(results, options);
  std::cout << "\n" << markdown;
  if (!clean) {
    std::cerr << "\n!!! a run did not cost exactly one token-endpoint call per connection, or "
                 "failed: the numbers are not valid\n";
    return 1;
  }
  if (!options.report.empty()) writeReport(options.report, markdown);
  return 0;
}

}  // namespace
}  // namespace keyhop::bench

int main(int argc, char** argv) {
  const auto options = keyhop::bench::parse(argc, argv);
  if (!options) {
    std::cerr << keyhop::bench::kUsage;
    return 2;
  }
  return keyhop::bench::benchMain("refresh benchmark", [&] { return keyhop::bench::run(*options); });
}
