// keyhop_store_bench: how long the proxy's lookup, Store::findConnection (account + integration
// + user id, credentials decrypted), takes among a million connections, on SQLite and on a
// throwaway PostgreSQL cluster. Run by `scripts/bench store`, which puts the Markdown report
// into docs/benchmarks.md. A benchmark, not a test: it checks only that every lookup finds the
// connection it asked for.

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/Exception.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/store/store.hpp"
#include "core/vault/vault.hpp"
#include "tests/bench/bench_run.hpp"
#include "tests/bench/latency.hpp"
#include "tests/support/master_keys.hpp"
#include "tests/support/postgres_cluster.hpp"
#include "tests/support/temp_dir.hpp"

namespace keyhop::bench {
namespace {

using Clock = std::chrono::steady_clock;
using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;
using store::ConnectionKey;
using store::NewConnection;
using store::Store;

constexpr const char* kUsage =
    "usage: keyhop_store_bench [--connections N] [--lookups N] [--batch N] [--threads 1,2]\n"
    "                          [--backend sqlite|postgresql] [--report FILE]\n";

struct Options {
  std::size_t connections = 1'000'000;
  std::size_t lookups = 20'000;  // timed, per thread count
  std::size_t warmup = 2'000;
  std::size_t batch = 10'000;  // connections per upsertConnections call (one transaction)
  std::vector<std::size_t> thread_counts = {1, 2};  // one timed run of `lookups` for each
  std::vector<std::string> backends = {"sqlite", "postgresql"};
  std::string report;  // where the Markdown goes; empty: nowhere
};

// --- the data: deterministic, so a lookup can check what it got ---

constexpr std::size_t kAccounts = 10;
constexpr const char* kProviders[] = {"github", "slack", "google", "notion"};

std::uint64_t mix(std::uint64_t x) {  // splitmix64
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// A token-like string of `length` hex digits, different for every (n, salt).
std::string token(const char* prefix, std::size_t n, std::uint64_t salt, std::size_t length) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text = prefix;
  std::uint64_t bits = 0;
  for (std::size_t i = 0; i < length; ++i) {
    if (i % 16 == 0) bits = mix(n * 0x100 + salt + i);
    text += kDigits[bits & 15];
    bits >>= 4;
  }
  return text;
}

// Accounts x integrations, with connection n belonging to integration n % integrations and
// user "user-<n>": realistic token sizes (an OAuth access and refresh token, and the provider's
// raw token response that repeats them).
class Dataset final {
 public:
  explicit Dataset(Store& store) {
    for (std::size_t a = 0; a < kAccounts; ++a) {
      const auto account = store.createAccount("bench-account-" + std::to_string(a));
      if (!account) throw std::runtime_error("cannot create a benchmark account");
      for (const char* provider : kProviders) {
        store::NewIntegration integration;
        integration.account_id = account.value->account.id;
        integration.provider = provider;
        integration.client_id = token("client-", a, 1, 20);
        integration.client_secret = token("secret-", a, 2, 40);
        integration.scopes = {"read", "write"};
        integration.allowed_return_urls = {"https://app.example/done"};
        const auto created = store.createIntegration(integration);
        if (!created) throw std::runtime_error("cannot create a benchmark integration");
        integrations_.push_back({integration.account_id, created.value->info.id, ""});
      }
    }
  }

  std::size_t integrationCount() const { return integrations_.size(); }

  ConnectionKey key(std::size_t n) const {
    ConnectionKey key = integrations_[n % integrations_.size()];
    key.user_id = "user-" + std::to_string(n);
    return key;
  }

  static std::string accessToken(std::size_t n) { return token("at-", n, 3, 64); }

  NewConnection connection(std::size_t n) const {
    NewConnection connection;
    connection.key = key(n);
    Credentials& credentials = connection.credentials;
    credentials.access_token = accessToken(n);
    credentials.refresh_token = token("rt-", n, 4, 64);
    credentials.expires_at = 1'900'000'000;
    credentials.connection_fields = {{"workspace", "team-" + std::to_string(n % 1000)}};
    connection.raw_token_response = "{\"access_token\":\"" + credentials.access_token +
                                    "\",\"refresh_token\":\"" + credentials.refresh_token +
                                    "\",\"expires_in\":3599,\"scope\":\"read write\","
                                    "\"token_type\":\"Bearer\"}";
    return connection;
  }

 private:
  std::vector<ConnectionKey> integrations_;  // account and integration ids; user_id empty
};

// --- where each backend's database lives for the run ---

struct DiskUsage {
  std::uint64_t total = 0;
  std::optional<std::uint64_t> connections;  // the table and its indexes
  std::optional<std::uint64_t> outbox;
  double sealed_credentials_bytes = 0;  // average length of connections.credentials
};

class Target {
 public:
  virtual ~Target() = default;
  virtual std::string name() const = 0;
  virtual std::string url() const = 0;
  // After the fill, what the database would soon do on its own, done now so that lookups do
  // not race it: PostgreSQL's autovacuum and checkpoint, SQLite's WAL checkpoint.
  virtual void settle() const = 0;
  // Measured with the store closed.
  virtual DiskUsage diskUsage() const = 0;
};

// A SQLite file in a temp dir removed with it.
class SqliteTarget final : public Target {
 public:
  std::string name() const override { return "SQLite"; }
  std::string url() const override { return "sqlite://" + file().string(); }

  void settle() const override {
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::Session session("sqlite", file().string());
    session << "PRAGMA wal_checkpoint(TRUNCATE)", now;
  }

  DiskUsage diskUsage() const override {
    DiskUsage usage;
    // The last connection to close checkpointed the WAL and removed it.
    for (const char* suffix : {"", "-wal"}) {
      std::error_code missing;
      const auto size = std::filesystem::file_size(file().string() + suffix, missing);
      if (!missing) usage.total += size;
    }
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::Session session("sqlite", file().string());
    session << "SELECT AVG(LENGTH(credentials)) FROM connections",
        into(usage.sealed_credentials_bytes), now;
    try {
      // dbstat is an optional SQLite module; without it the split is not reported.
      for (auto [table, size] :
           {std::pair{"connections", &usage.connections}, std::pair{"outbox", &usage.outbox}}) {
        Poco::Int64 bytes = 0;
        session << "SELECT COALESCE(SUM(d.pgsize), 0) FROM dbstat d JOIN sqlite_master m"
                   " ON d.name = m.name WHERE m.tbl_name = '" +
                       std::string(table) + "'",
            into(bytes), now;
        *size = static_cast<std::uint64_t>(bytes);
      }
    } catch (const Poco::Exception&) {
      usage.connections.reset();
      usage.outbox.reset();
    }
    return usage;
  }

 private:
  std::filesystem::path file() const { return dir_.path() / "store.db"; }
  test::TempDir dir_;
};

// A database on a cluster of its own (tests/support/postgres_cluster.hpp), stopped and removed
// on destruction.
class PostgresTarget final : public Target {
 public:
  PostgresTarget() : server_(test::startPostgres()) {
    try {
      admin("postgres") << "CREATE DATABASE " + std::string(kDatabase), now;
    } catch (...) {
      test::stopPostgres(server_);
      throw;
    }
  }
  ~PostgresTarget() override { test::stopPostgres(server_); }
  PostgresTarget(const PostgresTarget&) = delete;
  PostgresTarget& operator=(const PostgresTarget&) = delete;

  std::string name() const override { return "PostgreSQL"; }
  std::string url() const override { return server_.url(kDatabase); }

  void settle() const override {
    auto session = admin(kDatabase);
    session << "VACUUM (ANALYZE)", now;
    session << "CHECKPOINT", now;
  }

  DiskUsage diskUsage() const override {
    DiskUsage usage;
    Poco::Data::Session session = admin(kDatabase);
    Poco::Int64 total = 0, connections = 0, outbox = 0;
    session << "SELECT pg_database_size(current_database()), pg_total_relation_size('connections'),"
               " pg_total_relation_size('outbox')",
        into(total), into(connections), into(outbox), now;
    session << "SELECT AVG(LENGTH(credentials))::float8 FROM connections",
        into(usage.sealed_credentials_bytes), now;
    usage.total = static_cast<std::uint64_t>(total);
    usage.connections = static_cast<std::uint64_t>(connections);
    usage.outbox = static_cast<std::uint64_t>(outbox);
    return usage;
  }

 private:
  static constexpr const char* kDatabase = "keyhop_bench";

  Poco::Data::Session admin(const std::string& database) const {
    Poco::Data::PostgreSQL::Connector::registerConnector();
    return Poco::Data::Session("postgresql", server_.connectionString(database));
  }

  test::PostgresServer server_;
};

// --- the measurements ---

// Stores connections 0..count-1 in batches; returns the seconds spent inside the store.
double fill(Store& store, const Dataset& data, const Options& options) {
  double seconds = 0;
  std::vector<NewConnection> batch;
  for (std::size_t first = 0; first < options.connections; first += options.batch) {
    checkInterrupted();
    batch.clear();
    const std::size_t end = std::min(first + options.batch, options.connections);
    for (std::size_t n = first; n < end; ++n) batch.push_back(data.connection(n));
    const auto start = Clock::now();
    const auto results = store.upsertConnections(batch);
    seconds += secondsSince(start);
    for (const auto& result : results) {
      if (!result || !result.value->created) {
        throw std::runtime_error("a benchmark connection was not created");
      }
    }
    if (end % 100'000 == 0 || end == options.connections) {
      std::cout << "  stored " << end << " connections (" << static_cast<long>(end / seconds)
                << "/s)" << std::endl;
    }
  }
  return seconds;
}

// `total` lookups of random existing connections split over `threads` threads, each timed.
LatencySummary timeLookups(Store& store, const Dataset& data, std::size_t connections,
                           std::size_t total, std::size_t threads, std::uint64_t seed) {
  std::vector<std::vector<double>> durations(threads);
  std::vector<std::exception_ptr> errors(threads);
  const auto start = Clock::now();
  std::vector<std::thread> workers;
  for (std::size_t t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      try {
        std::mt19937_64 random(seed + t);
        std::uniform_int_distribution<std::size_t> pick(0, connections - 1);
        const std::size_t mine = total / threads + (t < total % threads ? 1 : 0);
        durations[t].reserve(mine);
        for (std::size_t i = 0; i < mine && !interrupted; ++i) {
          const std::size_t n = pick(random);
          const ConnectionKey key = data.key(n);
          const auto call = Clock::now();
          const auto connection = store.findConnection(key);
          durations[t].push_back(
              std::chrono::duration<double, std::micro>(Clock::now() - call).count());
          if (!connection || connection->credentials.access_token != Dataset::accessToken(n)) {
            throw std::runtime_error("lookup of " + key.user_id + " found the wrong connection");
          }
        }
      } catch (...) {
        errors[t] = std::current_exception();
      }
    });
  }
  for (auto& worker : workers) worker.join();
  const double wall = secondsSince(start);
  checkInterrupted();
  for (const auto& error : errors) {
    if (error) std::rethrow_exception(error);
  }
  std::vector<double> all;
  for (const auto& part : durations) all.insert(all.end(), part.begin(), part.end());
  return summarize(all, wall);
}

struct ThreadedLookups {
  std::size_t threads = 0;
  LatencySummary latency;
};

struct BackendResult {
  std::string name;
  double fill_seconds = 0;
  double settle_seconds = 0;
  std::vector<ThreadedLookups> lookups;
  DiskUsage disk;
};

BackendResult runBackend(Target& target, const Options& options) {
  BackendResult result;
  result.name = target.name();
  const vault::Vault vault(vault::KeyRing::parse(test::generatedMasterKeys(), "bench keys"));
  {
    auto store = store::openStore(target.url(), vault);
    const Dataset data(*store);
    std::cout << result.name << ": storing " << options.connections << " connections in batches of "
              << options.batch << std::endl;
    result.fill_seconds = fill(*store, data, options);
    checkInterrupted();
    const auto settling = Clock::now();
    target.settle();
    result.settle_seconds = secondsSince(settling);
    const std::size_t widest =
        *std::max_element(options.thread_counts.begin(), options.thread_counts.end());
    // Warm-up on every thread count's worth of pooled connections, so no timed call connects.
    timeLookups(*store, data, options.connections, options.warmup, widest, 1);
    for (std::size_t run = 0; run < options.thread_counts.size(); ++run) {
      const std::size_t threads = options.thread_counts[run];
      // Each run draws its own keys, so none finds the pages an earlier run just read.
      const auto latency =
          timeLookups(*store, data, options.connections, options.lookups, threads, 100 * (run + 1));
      std::cout << "  " << threads << " thread(s): p50 " << latency.p50_us << " us, p99 "
                << latency.p99_us << " us, " << static_cast<long>(latency.calls_per_second)
                << " lookups/s" << std::endl;
      result.lookups.push_back({threads, latency});
    }
  }
  result.disk = target.diskUsage();
  return result;
}

// --- the report ---

std::string mebibytes(std::optional<std::uint64_t> bytes) {
  return bytes ? grouped((*bytes + (1 << 19)) >> 20) + " MiB" : "n/a";
}

std::string report(const std::vector<BackendResult>& results, const Options& options) {
  const double sealed = results.empty() ? 0 : results.front().disk.sealed_credentials_bytes;
  std::ostringstream out;
  out << "How: each backend gets " << grouped(options.connections) << " connections spread over "
      << kAccounts << " accounts x " << std::size(kProviders)
      << " integrations, stored through `Store::upsertConnections` in batches of "
      << grouped(options.batch)
      << " (one transaction each). A connection's credentials hold a 64-character access token "
         "and refresh token and the provider's raw token response that repeats them ("
      << fixed(sealed, 0)
      << " bytes sealed). Then `Store::findConnection` (account id + integration id + user id: "
         "the proxy's lookup, credentials decrypted, checked by the benchmark) is called for "
         "uniformly random existing connections: "
      << grouped(options.warmup) << " untimed warm-up calls, then, in the order of the table, "
      << grouped(options.lookups)
      << " timed calls split over 1 or more threads sharing one store and its connection pool. "
         "Each call is timed with `steady_clock`; lookups/s is calls over the wall time of the "
         "run. Source: "
         "`tests/bench/store_bench.cpp`.\n\n"
         "- SQLite: a file in a temp dir, set up as in production (WAL, `synchronous=FULL`).\n"
         "- PostgreSQL 15: a throwaway cluster in a temp dir on 127.0.0.1 "
         "(`tests/support/postgres_cluster.hpp`: default settings, so `shared_buffers` is "
         "128 MB, and `fsync=off`, so the fill leaves out disk flushes). Client and server "
         "share the machine's cores.\n"
         "- Between fill and lookups, what each database would soon do on its own, so lookups do "
         "not race it: `VACUUM (ANALYZE)` and `CHECKPOINT` on PostgreSQL, "
         "`wal_checkpoint(TRUNCATE)` on SQLite.\n"
         "- Both databases fit in the OS page cache: these are warm-cache numbers.\n\n";

  out << "| backend | threads | p50 µs | p90 µs | p99 µs | mean µs | max µs | lookups/s |\n"
         "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n";
  for (const auto& result : results) {
    for (const auto& run : result.lookups) {
      const auto& l = run.latency;
      out << "| " << result.name << " | " << run.threads << " | " << fixed(l.p50_us, 0) << " | "
          << fixed(l.p90_us, 0) << " | " << fixed(l.p99_us, 0) << " | " << fixed(l.mean_us, 0)
          << " | " << fixed(l.max_us, 0) << " | "
          << grouped(static_cast<std::uint64_t>(l.calls_per_second)) << " |\n";
    }
  }
  out << "\n| backend | fill | connections/s | vacuum / checkpoint | on disk "
         "| connections + indexes | outbox |\n"
         "| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n";
  for (const auto& result : results) {
    out << "| " << result.name << " | " << fixed(result.fill_seconds, 1) << " s | "
        << grouped(static_cast<std::uint64_t>(options.connections / result.fill_seconds)) << " | "
        << fixed(result.settle_seconds, 1) << " s | " << mebibytes(result.disk.total) << " | "
        << mebibytes(result.disk.connections) << " | " << mebibytes(result.disk.outbox) << " |\n";
  }
  out << "\nThe outbox holds the " << grouped(options.connections)
      << " `connection.created` events of the fill (each upsert enqueues one in its "
         "transaction); nothing delivers them here. Fill time counts only the time spent inside "
         "`upsertConnections`.\n";
  return out.str();
}

// --- the command line ---

std::optional<Options> parse(int argc, char** argv) {
  Options options;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string flag = argv[i];
      if (i + 1 >= argc) return std::nullopt;
      const std::string value = argv[++i];
      if (flag == "--connections") {
        options.connections = positiveCount(value);
      } else if (flag == "--lookups") {
        options.lookups = positiveCount(value);
      } else if (flag == "--batch") {
        options.batch = positiveCount(value);
      } else if (flag == "--threads") {
        options.thread_counts.clear();
        std::istringstream list(value);
        for (std::string item; std::getline(list, item, ',');) {
          options.thread_counts.push_back(positiveCount(item));
        }
        if (options.thread_counts.empty()) return std::nullopt;
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
  std::vector<BackendResult> results;
  for (const auto& backend : options.backends) {
    checkInterrupted();
    std::unique_ptr<Target> target;
    if (backend == "sqlite") {
      target = std::make_unique<SqliteTarget>();
    } else {
      std::cout << "starting a throwaway PostgreSQL cluster" << std::endl;
      target = std::make_unique<PostgresTarget>();
    }
    results.push_back(runBackend(*target, options));
  }
  const std::string markdown = report(results, options);
  if (!options.report.empty()) writeReport(options.report, markdown);
  std::cout << "\n" << markdown;
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
  return keyhop::bench::benchMain("store benchmark", [&] { return keyhop::bench::run(*options); });
}
