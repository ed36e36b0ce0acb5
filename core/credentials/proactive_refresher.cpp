#include "core/credentials/proactive_refresher.hpp"

#include <Poco/Logger.h>

#include <algorithm>
#include <exception>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>

#include "core/credentials/refresh_policy.hpp"
#include "core/store/unix_time.hpp"

namespace keyhop::credentials {
namespace {

Poco::Logger& log() { return Poco::Logger::get("keyhop.credentials"); }

// Keepalive is counted in days: looking once an hour is plenty, and spares the store a scan of
// every idle connection at each pass.
constexpr std::int64_t kKeepaliveScanEvery = 3600;

constexpr std::int64_t kSecondsPerDay = 86400;

}  // namespace

ProactiveRefresher::ProactiveRefresher(const registry::Registry& providers, store::Store& store,
                                       CredentialsEngine& engine, ProactiveOptions options)
    : providers_(providers),
      store_(store),
      engine_(engine),
      options_(std::move(options)),
      now_(options_.now ? options_.now : store::unixNow),
      random_(std::random_device{}()) {
  const std::size_t threads = std::max<std::size_t>(options_.concurrency, 1);
  try {
    for (std::size_t i = 0; i < threads; ++i) renewers_.emplace_back([this] { renewLoop(); });
    scanner_ = std::thread([this] { scanLoop(); });
  } catch (...) {
    stop();  // joins the threads that did start: a joinable thread must not be destroyed
    throw;
  }
}

ProactiveRefresher::~ProactiveRefresher() { stop(); }

void ProactiveRefresher::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (scanner_.joinable()) scanner_.join();
  for (auto& renewer : renewers_) {
    if (renewer.joinable()) renewer.join();
  }
}

ProactiveStats ProactiveRefresher::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

bool ProactiveRefresher::waitForPasses(std::uint64_t passes,
                                       std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return stats_.passes >= passes; });
}

void ProactiveRefresher::scanLoop() {
  std::uniform_int_distribution<std::int64_t> first(0, options_.jitter.count());
  if (!sleepFor(std::chrono::milliseconds(first(random_)))) return;
  for (;;) {
    const ProactiveStats before = stats();
    const auto started = std::chrono::steady_clock::now();
    try {
      pass();
    } catch (const std::exception& error) {
      log().error(std::string("proactive refresh: the pass stopped: ") + error.what());
    }
    std::unique_lock<std::mutex> lock(mutex_);
    // What was handed out is finished before the next listing, which would list it again.
    changed_.wait(lock, [&] { return stopping_ || unfinished_ == 0; });
    if (stopping_) return;
    ++stats_.passes;
    const ProactiveStats after = stats_;
    lock.unlock();
    changed_.notify_all();
    if (after.renewed != before.renewed || after.failed != before.failed) {
      const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - started);
      log().information("proactive refresh: renewed " +
                        std::to_string(after.renewed - before.renewed) + ", failed " +
                        std::to_string(after.failed - before.failed) + " in " +
                        std::to_string(took.count()) + " ms");
    }
    if (!sleepFor(jittered(options_.scan_interval))) return;
  }
}

void ProactiveRefresher::pass() {
  const std::int64_t now = now_();
  // Due now or before the next pass: within the margin one interval from now.
  const std::int64_t ahead = (options_.scan_interval.count() + 999) / 1000;
  std::optional<std::int64_t> widest_margin;
  for (const auto* provider : providers_.all()) {
    if (!renewsTokens(provider->spec)) continue;
    widest_margin = std::max(widest_margin.value_or(0), provider->spec.refresh.margin_s);
  }
  if (!widest_margin) return;

  // A renewed connection may come round again in a later page: it goes out once per pass.
  std::unordered_set<std::string> handed_out;
  std::optional<store::RefreshCandidate> after;
  for (;;) {
    const auto page = store_.connectionsExpiringBefore(
        now + *widest_margin + ahead + 1, after ? &*after : nullptr, options_.page_size);
    for (const auto& candidate : page) {
      const auto* provider = providers_.find(candidate.provider);
      if (provider == nullptr || !renewsTokens(provider->spec)) continue;
      if (candidate.token_expires_at > now + provider->spec.refresh.margin_s + ahead) continue;
      if (handed_out.insert(candidate.id).second && !enqueue(candidate)) return;
    }
    if (page.size() < options_.page_size) break;
    after = page.back();
  }

  if (now < next_keepalive_scan_) return;
  for (const auto* provider : providers_.all()) {
    const std::int64_t days = provider->spec.refresh.keepalive_days;
    if (!renewsTokens(provider->spec) || days <= 0) continue;
    std::string after_id;
    for (;;) {
      const auto page = store_.connectionsRefreshedBefore(
          provider->spec.id, now - days * kSecondsPerDay, after_id, options_.page_size);
      for (const auto& candidate : page) {
        if (handed_out.insert(candidate.id).second && !enqueue(candidate)) return;
      }
      if (page.size() < options_.page_size) break;
      after_id = page.back().id;
    }
  }
  next_keepalive_scan_ = now + kKeepaliveScanEvery;
}

bool ProactiveRefresher::enqueue(const store::RefreshCandidate& candidate) {
  const std::size_t capacity = 2 * renewers_.size();  // enough to keep every renewer busy
  {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return stopping_ || queue_.size() < capacity; });
    if (stopping_) return false;
    queue_.push_back({candidate.key, candidate.id, candidate.version});
    ++unfinished_;
  }
  changed_.notify_all();
  return true;
}

void ProactiveRefresher::renewLoop() {
  for (;;) {
    Task task;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      changed_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    changed_.notify_all();  // room in the queue

    bool renewed = false;
    bool failed = false;
    try {
      const FreshResult result = engine_.renewAhead(task.key, task.connection_id, task.version);
      if (result) {
        renewed = result.snapshot().connection_id != task.connection_id ||
                  result.snapshot().version != task.version;
      } else if (result.failure().kind != FailureKind::NotFound) {  // deleted: nothing to do
        failed = true;
        log().debug("proactive refresh of connection " + task.connection_id + ": " +
                    toString(result.failure().kind) + ": " + result.failure().message);
      }
    } catch (const std::exception& error) {
      failed = true;
      log().error("proactive refresh of connection " + task.connection_id + ": " + error.what());
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      --unfinished_;
      if (failed) {
        ++stats_.failed;
      } else if (renewed) {
        ++stats_.renewed;
      } else {
        ++stats_.unchanged;
      }
    }
    changed_.notify_all();
  }
}

bool ProactiveRefresher::sleepFor(std::chrono::milliseconds duration) {
  std::unique_lock<std::mutex> lock(mutex_);
  return !changed_.wait_for(lock, duration, [&] { return stopping_; });
}

std::chrono::milliseconds ProactiveRefresher::jittered(std::chrono::milliseconds duration) {
  const std::int64_t most = std::min(options_.jitter.count(), duration.count());
  return duration -
         std::chrono::milliseconds(std::uniform_int_distribution<std::int64_t>(0, most)(random_));
}

}  // namespace keyhop::credentials
