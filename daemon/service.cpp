#include "service.hpp"

#include <spdlog/fmt/ranges.h>
#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <unordered_map>
#include <unordered_set>

#include "alert/alert.hpp"
#include "feed/date.hpp"
#include "feed/parser.hpp"
#include "fetch/http_fetcher.hpp"
#include "fetch/scheduler.hpp"
#include "file_watcher.hpp"
#include "logging.hpp"
#include "match/matcher.hpp"
#include "metrics.hpp"
#include "pipeline.hpp"
#include "sink_factory.hpp"
#include "state/state_store.hpp"

namespace newswatch {
namespace {

using Clock = std::chrono::system_clock;
using namespace std::chrono_literals;

constexpr std::size_t kOutboxBatch = 1000;
constexpr auto kOutboxRetryDelay = 5s;  // after a retriable delivery failure, before producing again
constexpr auto kExpireEvery = 1h;
constexpr auto kStatusEvery = 10s;
// Feed states (next poll, validators after a 304, failure counts) are written in batches rather than
// one SQLite write transaction (a WAL append and its file locks) per poll. A crash loses at most this
// much of them, which only makes a few feeds be polled early or unconditionally once; validators that
// go with new articles are written in the articles' own transaction (commit_articles) and never wait.
constexpr auto kFeedSaveEvery = 1s;
constexpr std::size_t kFeedSaveBatch = 1000;
constexpr auto kMaxLoopWait = 1000ms;
constexpr auto kStalledAfter = 60s;  // /healthz answers 503 when the loop has not turned for this long

std::string format_time(Clock::time_point when) {
  return format_rfc3339(std::chrono::time_point_cast<std::chrono::seconds>(when));
}

std::string format_delay(Clock::duration delay) {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(delay).count();
  if (seconds < 120) return std::to_string(seconds) + "s";
  if (seconds < 7200) return std::to_string(seconds / 60) + "m";
  return std::to_string(seconds / 3600) + "h" + std::to_string(seconds % 3600 / 60) + "m";
}

FetchOptions fetch_options(const PollConfig& poll) {
  FetchOptions options;
  options.max_total_transfers = static_cast<std::size_t>(poll.concurrency);
  options.max_transfers_per_host = static_cast<std::size_t>(poll.per_host);
  options.connect_timeout = poll.connect_timeout;
  options.total_timeout = poll.timeout;
  options.low_speed_bytes_per_second = poll.low_speed_bytes;
  options.low_speed_time = poll.low_speed_time;
  options.max_body_bytes = poll.max_body_bytes;
  if (!poll.user_agent.empty()) options.user_agent = poll.user_agent;
  options.ca_file = poll.ca_file;
  return options;
}

}  // namespace

// Everything the loop owns. Lives only inside Service::run().
class Service::Loop {
 public:
  Loop(Config config, Service& service) : config_(std::move(config)), service_(service) {}

  int run();
  void wake() {
    if (fetcher_) fetcher_->wakeup();
  }

 private:
  struct FeedEntry {
    FeedConfig config;
    FeedState state;
    bool healthy = true;
    Clock::time_point due_at{};  // when the scheduler handed it out, for the poll-cycle histogram
  };

  bool start();
  void schedule_feeds();
  void poll_due_feeds(Clock::time_point now);
  void handle_fetch(FetchResult result);
  void handle_failure(FeedEntry& feed, std::string_view kind, const std::string& message,
                      const FetchResponse& response, Clock::time_point now);
  // Takes the response's body over (parse_owned_feed); its headers stay for the caller.
  void handle_document(FeedEntry& feed, FetchResult& result, Clock::time_point now);
  void note_feed_changed(FeedEntry& feed);
  void save_unsaved_feeds();
  void pump_outbox(Clock::time_point now);
  void handle_sink_report(const SinkReport& report, Clock::time_point now);
  void housekeeping(Clock::time_point now);
  void update_status();
  void shutdown();
  void note_state_error(const StateError& error);
  void begin_reload();
  void finish_reload();
  void apply_feeds(const std::vector<FeedConfig>& feeds, std::chrono::seconds old_default,
                   std::chrono::seconds new_default, Clock::time_point now);

  // What a reload compiled off the loop: a new config and matcher, or the problems that refused it.
  struct Reloaded {
    std::optional<Config> config;
    std::shared_ptr<const Matcher> matcher;
    std::vector<std::string> problems;
    std::optional<MatcherCacheReport> cache;  // when the watchlists were loaded at all
  };

  // A log line and a metric for how the watchlists were loaded (metric on the loop thread only).
  void note_matcher_cache(const MatcherCacheReport& report) {
    for (const auto& problem : report.problems) {
      spdlog::warn("watchlist cache: {}", problem);
      metrics_->matcher_cache("problem");
    }
    metrics_->matcher_cache(report.hit ? "hit" : "compiled");
    spdlog::debug("watchlists {}", report.hit ? "read back compiled from the cache" : "parsed and compiled");
  }

  Config config_;
  Service& service_;
  std::shared_ptr<Metrics> metrics_ = std::make_shared<Metrics>();
  std::unique_ptr<MetricsEndpoint> endpoint_;
  std::unique_ptr<StateStore> state_;
  std::unique_ptr<HttpFetcher> fetcher_;
  std::unique_ptr<FeedScheduler> scheduler_;
  std::unique_ptr<Sink> sink_;
  std::shared_ptr<const Matcher> matcher_;
  std::unordered_map<std::string, FeedEntry> feeds_;
  std::unique_ptr<FileWatcher> watcher_;
  std::future<Reloaded> reload_;
  bool reload_again_ = false;  // a change arrived while a reload was compiling

  std::unordered_set<std::string> unsaved_feeds_;  // urls whose state changed since the last save
  Clock::time_point next_feed_save_{};
  std::unordered_set<std::int64_t> in_flight_;  // outbox ids the sink has and has not reported yet
  std::int64_t outbox_cursor_ = 0;              // highest outbox id submitted in this pass
  Clock::time_point outbox_retry_at_{};         // after a retriable failure, rescan from the start then
  bool outbox_rescan_ = false;
  bool polling_paused_ = false;
  std::uint64_t alerts_total_ = 0;
  Clock::time_point next_expire_{};
  Clock::time_point next_status_{};
  std::atomic<bool> sink_healthy_{true};
  std::mutex sink_problem_mutex_;  // the loop writes, the /healthz thread reads
  std::string sink_problem_;       // why the sink cannot deliver, while sink_healthy_ is false
  std::atomic<std::int64_t> last_progress_{0};
};

bool Service::Loop::start() {
  std::error_code ec;
  std::filesystem::create_directories(config_.state_dir, ec);
  if (ec) {
    spdlog::critical("cannot create state_dir {}: {}", config_.state_dir.string(), ec.message());
    return false;
  }
  StateOptions state_options;
  state_options.article_max_age = std::chrono::duration_cast<std::chrono::hours>(config_.article_retention);
  auto state = StateStore::open((config_.state_dir / "newswatch.db").string(), state_options);
  if (!state) {
    spdlog::critical("{}", state.error().describe());
    return false;
  }
  state_ = std::move(*state);

  MatcherCacheReport cache_report;
  auto matcher =
      load_matcher_cached(config_.watchlists, matcher_options(config_), matcher_cache_options(config_), cache_report);
  note_matcher_cache(cache_report);
  if (!matcher) {
    for (const auto& problem : matcher.error()) spdlog::critical("watchlist: {}", problem.to_string());
    return false;
  }
  matcher_ = *matcher;

  auto sink = make_sink(config_.sink);
  if (!sink) {
    spdlog::critical("sink: {}", sink.error());
    return false;
  }
  sink_ = std::move(*sink);

  fetcher_ = std::make_unique<HttpFetcher>(fetch_options(config_.poll));
  // A delivery report ends the fetcher's wait at once: the outbox row is acknowledged and the next
  // alerts are submitted without waiting for the loop's timeout (outbox replay throughput).
  sink_->set_wakeup([fetcher = fetcher_.get()] { fetcher->wakeup(); });

  if (config_.metrics.enabled) {
    endpoint_ = std::make_unique<MetricsEndpoint>(metrics_, [this]() -> std::pair<bool, std::string> {
      // Runs on the endpoint's thread: reads only atomics and the mutex-guarded sink problem.
      const auto last_progress = last_progress_.load();
      if (last_progress == 0) return {false, "starting"};
      const auto idle = Clock::now().time_since_epoch() - std::chrono::milliseconds(last_progress);
      if (idle > kStalledAfter) {
        return {false, "main loop stalled for " +
                           std::to_string(std::chrono::duration_cast<std::chrono::seconds>(idle).count()) +
                           " s"};
      }
      if (!sink_healthy_.load()) {
        std::lock_guard<std::mutex> lock(sink_problem_mutex_);
        return {false, sink_problem_};
      }
      return {true, ""};
    });
    if (auto error = endpoint_->start(config_.metrics.listen); !error.empty()) {
      spdlog::critical("{}", error);
      return false;
    }
    const auto host = config_.metrics.listen.substr(0, config_.metrics.listen.rfind(':'));
    spdlog::info("metrics on http://{}:{}/metrics", host, endpoint_->port());
  }

  spdlog::info("newswatchd {} started: {} feeds, {} watchlists ({} terms, {} rules), sink {}, state {}",
               NEWSWATCH_VERSION, config_.feeds.size(), config_.watchlists.size(), matcher_->term_count(),
               matcher_->rule_count(), sink_->kind(), state_->path());
  if (const auto depth = state_->outbox_depth(); depth > 0) {
    spdlog::info("outbox holds {} undelivered alerts from before; delivering them first", depth);
  }
  schedule_feeds();

  watcher_ = std::make_unique<FileWatcher>([this] { service_.request_reload(); });
  std::vector<std::filesystem::path> watched = config_.watchlists;
  watched.push_back(config_.file);
  if (auto error = watcher_->watch(watched); !error.empty()) {
    spdlog::warn("watching the config and watchlists for changes: {}; SIGHUP still reloads", error);
  }
  return true;
}

void Service::Loop::schedule_feeds() {
  SchedulerOptions options;
  options.default_interval = config_.poll.interval;
  options.unhealthy_after = config_.poll.unhealthy_after;
  scheduler_ = std::make_unique<FeedScheduler>(options);

  std::unordered_map<std::string, FeedState> persisted;
  if (auto all = state_->all_feeds()) {
    for (auto& feed : *all) persisted.emplace(feed.url, std::move(feed));
  } else {
    note_state_error(all.error());
  }
  const auto now = Clock::now();
  for (const auto& feed_config : config_.feeds) {
    FeedEntry entry;
    entry.config = feed_config;
    entry.state.url = feed_config.url;
    if (auto it = persisted.find(feed_config.url); it != persisted.end()) entry.state = it->second;
    entry.healthy = entry.state.consecutive_failures < config_.poll.unhealthy_after;
    scheduler_->add_feed(feed_config.url, feed_config.interval, now,
                         FeedResume{entry.state.next_poll, entry.state.consecutive_failures});
    feeds_.emplace(feed_config.url, std::move(entry));
  }
}

void Service::Loop::poll_due_feeds(Clock::time_point now) {
  const bool full = state_->outbox_depth() >= config_.outbox.max_depth;
  if (full != polling_paused_) {
    polling_paused_ = full;
    metrics_->set_polling_paused(full);
    if (full) {
      spdlog::warn("outbox holds {} alerts (outbox.max_depth {}): polling paused until the sink catches up",
                   state_->outbox_depth(), config_.outbox.max_depth);
    } else {
      spdlog::info("outbox below outbox.max_depth again: polling resumed");
    }
  }
  if (polling_paused_) return;
  for (const auto& url : scheduler_->take_due(now)) {
    auto it = feeds_.find(url);
    if (it == feeds_.end()) continue;
    FeedEntry& feed = it->second;
    feed.due_at = now;
    FetchRequest request;
    request.feed_url = url;
    request.url = feed.state.redirect_url.value_or(url);
    request.etag = feed.state.etag.value_or("");
    request.last_modified = feed.state.last_modified.value_or("");
    fetcher_->submit(std::move(request));
  }
}

void Service::Loop::handle_fetch(FetchResult result) {
  auto it = feeds_.find(result.feed_url);
  if (it == feeds_.end()) return;  // removed by a reload while in flight
  FeedEntry& feed = it->second;
  const auto now = Clock::now();
  metrics_->fetched_bytes(result.response.wire_bytes);
  feed.state.last_attempt = now;

  if (!result.response.permanent_url.empty() && result.response.permanent_url != feed.state.redirect_url) {
    spdlog::info("feed {}: moved permanently to {}; polling the new URL, the feed keeps its identity",
                 feed.config.url, result.response.permanent_url);
    feed.state.redirect_url = result.response.permanent_url;
  }

  if (!result.ok()) {
    const auto kind = to_string(result.error->kind);
    std::string what = std::string(kind);
    if (result.error->kind == FetchErrorKind::http_status)
      what = "HTTP " + std::to_string(result.response.status);
    handle_failure(feed, kind, what + ": " + result.error->message, result.response, now);
    return;
  }
  if (result.not_modified()) {
    metrics_->fetch_result("not_modified");
    feed.state.last_status = "304";
  } else {
    metrics_->fetch_result("ok");
    handle_document(feed, result, now);
    if (feed.state.last_status != std::to_string(result.response.status)) return;  // counted as a failure
  }

  auto header = [](const std::string& value) {
    return value.empty() ? std::nullopt : std::optional<std::string_view>(value);
  };
  FreshnessHints hints =
      freshness_from_headers(header(result.response.cache_control), header(result.response.expires),
                             header(result.response.date), now);
  hints.ttl = feed.state.ttl;
  const auto outcome = scheduler_->on_success(feed.config.url, hints, now);
  if (!outcome) return;
  feed.state.consecutive_failures = 0;
  feed.state.last_success = now;
  feed.state.next_poll = outcome->next_poll;
  if (!feed.healthy) spdlog::info("feed {}: healthy again", feed.config.url);
  feed.healthy = true;
  note_feed_changed(feed);
  metrics_->poll_cycle(now - feed.due_at);
  last_progress_ = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
}

void Service::Loop::handle_failure(FeedEntry& feed, std::string_view kind, const std::string& message,
                                   const FetchResponse& response, Clock::time_point now) {
  metrics_->fetch_result(kind);
  FailureInfo failure;
  failure.http_status = static_cast<int>(response.status);
  if (!response.retry_after.empty()) failure.retry_after = response.retry_after;
  const auto outcome = scheduler_->on_failure(feed.config.url, failure, now);
  if (!outcome) return;
  feed.state.consecutive_failures = outcome->consecutive_failures;
  feed.state.last_status = response.status != 0 ? std::to_string(response.status) : std::string(kind);
  feed.state.next_poll = outcome->next_poll;
  const bool unhealthy = !outcome->healthy;
  spdlog::warn("feed {}: {}; failure {} in a row; next try in {} at {}", feed.config.url, message,
               feed.state.consecutive_failures, format_delay(outcome->next_poll - now),
               format_time(outcome->next_poll));
  if (unhealthy && feed.healthy) {
    spdlog::error("feed {}: unhealthy after {} consecutive failures (still polled)", feed.config.url,
                  feed.state.consecutive_failures);
  }
  feed.healthy = !unhealthy;
  note_feed_changed(feed);
  last_progress_ = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
}

void Service::Loop::handle_document(FeedEntry& feed, FetchResult& result, Clock::time_point now) {
  const ParseLimits limits = parse_limits(config_);
  const std::string& base =
      result.response.effective_url.empty() ? feed.config.url : result.response.effective_url;
  auto parsed =
      parse_owned_feed(std::move(result.response.body), result.response.content_type, base, limits);
  if (!parsed) {
    const auto& problem = parsed.error();
    metrics_->parse_result(to_string(problem.kind));
    std::string where = problem.line > 0 ? " at line " + std::to_string(problem.line) + ", column " +
                                               std::to_string(problem.column)
                                         : "";
    const std::string_view kind =
        problem.kind == ParseErrorKind::not_a_feed || problem.kind == ParseErrorKind::empty ? "not_a_feed"
                                                                                            : "malformed";
    handle_failure(
        feed, kind,
        std::string(kind == "not_a_feed" ? "not a feed" : "malformed") + where + ": " + problem.message,
        result.response, now);
    return;
  }
  for (const auto& warning : parsed->warnings) {
    std::string where = warning.line > 0 ? " at line " + std::to_string(warning.line) + ", column " +
                                               std::to_string(warning.column)
                                         : "";
    spdlog::warn("feed {}: {}{}: {} ({} items kept)", feed.config.url, to_string(warning.kind), where,
                 warning.message, parsed->feed.articles.size());
    metrics_->parse_warning(to_string(warning.kind));
  }
  feed.state.ttl = parsed->feed.ttl;
  metrics_->parse_result(parsed->malformed() ? "malformed" : "ok");
  metrics_->items_parsed(parsed->feed.articles.size());

  const FeedInfo info{feed.config.url, parsed->feed.title};
  std::vector<std::string> identities;
  identities.reserve(parsed->feed.articles.size());
  for (const auto& article : parsed->feed.articles)
    identities.push_back(article_identity(article, feed.config.url));
  std::vector<std::string_view> views(identities.begin(), identities.end());
  auto seen = state_->seen(views, now);
  if (!seen) {
    // Without knowing what is new we must not guess: try the whole document again next time.
    note_state_error(seen.error());
    handle_failure(feed, "state", seen.error().describe(), result.response, now);
    return;
  }

  std::vector<ProcessedArticle> batch;
  std::vector<std::optional<Alert>> alerts;
  const Instant detected_at = std::chrono::time_point_cast<std::chrono::seconds>(now);
  for (std::size_t i = 0; i < parsed->feed.articles.size(); ++i) {
    if ((*seen)[i]) continue;
    ArticleVerdict verdict = evaluate_article(parsed->feed.articles[i], info, *matcher_, detected_at);
    ProcessedArticle processed{std::move(verdict.identity), std::nullopt};
    if (verdict.alert) {
      // The configured URL, not a redirect target: it is the feed's identity, as in the alert JSON.
      processed.alert = OutboxEntry{verdict.alert->id, to_string(verdict.alert->severity),
                                    verdict.alert->json, feed.config.url};
    }
    alerts.push_back(std::move(verdict.alert));
    batch.push_back(std::move(processed));
  }

  FeedState next = feed.state;
  next.etag = result.response.etag.empty() ? std::nullopt : std::optional(result.response.etag);
  next.last_modified =
      result.response.last_modified.empty() ? std::nullopt : std::optional(result.response.last_modified);
  next.last_status = std::to_string(result.response.status);
  auto committed = state_->commit_articles(batch, now, next);
  if (!committed) {
    note_state_error(committed.error());
    handle_failure(feed, "state", committed.error().describe(), result.response, now);
    return;
  }
  feed.state = next;
  // One line and one count per alert: id, severity, feed, title. batch[k] is the k-th unseen article.
  std::size_t k = 0;
  for (std::size_t i = 0; i < parsed->feed.articles.size(); ++i) {
    if ((*seen)[i]) continue;
    const auto& outcome = (*committed)[k];
    const auto& alert = alerts[k];
    ++k;
    if (!outcome.outbox_id || !alert) continue;
    ++alerts_total_;
    metrics_->alert(to_string(alert->severity));
    spdlog::info("alert {} {} feed=\"{}\" title=\"{}\"", alert->id, to_string(alert->severity),
                 feed.config.name, parsed->feed.articles[i].title);
    if (!alert->truncated.empty()) {
      spdlog::info("alert {}: cut to its size caps: {}", alert->id, fmt::join(alert->truncated, ", "));
      for (const auto& part : alert->truncated) metrics_->alert_truncated(part);
    }
  }
  if (!batch.empty()) spdlog::debug("feed {}: {} new articles", feed.config.url, batch.size());
}

// The feed's state is written with the next batch (kFeedSaveEvery).
void Service::Loop::note_feed_changed(FeedEntry& feed) { unsaved_feeds_.insert(feed.config.url); }

void Service::Loop::save_unsaved_feeds() {
  std::vector<const FeedState*> states;
  states.reserve(unsaved_feeds_.size());
  for (const auto& url : unsaved_feeds_) {
    if (const auto it = feeds_.find(url); it != feeds_.end()) states.push_back(&it->second.state);
  }
  unsaved_feeds_.clear();
  if (auto saved = state_->save_feeds(states); !saved) note_state_error(saved.error());
}

void Service::Loop::note_state_error(const StateError& error) {
  metrics_->state_error(error.operation);
  spdlog::error("{}", error.describe());
}

void Service::Loop::pump_outbox(Clock::time_point now) {
  if (sink_->health().state == HealthState::fatal) return;
  if (outbox_rescan_ && now >= outbox_retry_at_) {
    outbox_rescan_ = false;
    outbox_cursor_ = 0;
  }
  // Every row of the outbox is already with the sink: nothing to read. The loop turns at least once
  // per finished transfer, and even an empty read takes SQLite's file locks (fcntl calls).
  if (state_->outbox_depth() <= in_flight_.size()) return;
  while (true) {
    auto rows = state_->pending(kOutboxBatch, outbox_cursor_);
    if (!rows) {
      note_state_error(rows.error());
      return;
    }
    if (rows->empty()) return;
    for (auto& row : *rows) {
      if (in_flight_.count(row.id)) {
        outbox_cursor_ = row.id;
        continue;
      }
      OutgoingAlert alert;
      alert.outbox_id = row.id;
      alert.alert_id = row.alert_id;
      alert.severity = row.severity;
      alert.payload = std::move(row.payload);
      alert.time = format_time(row.created_at);
      alert.source = std::move(row.source);
      const auto outcome = sink_->submit(alert);
      switch (outcome.status) {
        case SubmitStatus::accepted:
          in_flight_.insert(row.id);
          outbox_cursor_ = row.id;
          break;
        case SubmitStatus::queue_full:
          return;  // back-pressure: the next loop turn tries again from here
        case SubmitStatus::rejected:
          metrics_->delivery("rejected");
          spdlog::error("alert {} can never be delivered as it is ({}); removed from the outbox",
                        row.alert_id, outcome.error);
          if (auto done = state_->acknowledge(std::span<const std::int64_t>(&row.id, 1)); !done)
            note_state_error(done.error());
          outbox_cursor_ = row.id;
          break;
        case SubmitStatus::fatal:
          spdlog::error("sink {}: {}; alerts stay in the outbox", sink_->kind(), outcome.error);
          return;
      }
    }
    if (rows->size() < kOutboxBatch) return;
  }
}

void Service::Loop::handle_sink_report(const SinkReport& report, Clock::time_point now) {
  for (const auto& notice : report.notices) {
    metrics_->sink_notice(to_string(notice.level));
    switch (notice.level) {
      case NoticeLevel::debug:
        spdlog::debug("sink {}: {}", sink_->kind(), notice.message);
        break;
      case NoticeLevel::info:
        spdlog::info("sink {}: {}", sink_->kind(), notice.message);
        break;
      case NoticeLevel::warning:
        spdlog::warn("sink {}: {}", sink_->kind(), notice.message);
        break;
      case NoticeLevel::error:
        spdlog::error("sink {}: {}", sink_->kind(), notice.message);
        break;
    }
  }
  std::vector<std::int64_t> delivered;
  std::vector<DeliveryFailure> failures;
  std::size_t permanent_failures = 0;
  for (const auto& delivery : report.deliveries) {
    in_flight_.erase(delivery.outbox_id);
    switch (delivery.status) {
      case DeliveryStatus::delivered:
        delivered.push_back(delivery.outbox_id);
        break;
      case DeliveryStatus::retriable_failure:
        failures.push_back({delivery.outbox_id, delivery.error});
        outbox_rescan_ = true;
        outbox_retry_at_ = now + kOutboxRetryDelay;
        break;
      case DeliveryStatus::permanent_failure:
        spdlog::error("outbox row {}: the destination refused the alert ({}); removed from the outbox",
                      delivery.outbox_id, delivery.error);
        delivered.push_back(delivery.outbox_id);
        ++permanent_failures;
        break;
    }
  }
  // Counted per report, not per delivery: a replay reports thousands at a time.
  metrics_->delivery(to_string(DeliveryStatus::delivered), delivered.size() - permanent_failures);
  metrics_->delivery(to_string(DeliveryStatus::retriable_failure), failures.size());
  metrics_->delivery(to_string(DeliveryStatus::permanent_failure), permanent_failures);
  if (!failures.empty()) {
    spdlog::warn("sink {}: {} alerts not delivered yet ({}); they stay in the outbox and are sent again",
                 sink_->kind(), failures.size(), failures.front().error);
    if (auto done = state_->record_failures(failures); !done) note_state_error(done.error());
  }
  if (!delivered.empty()) {
    if (auto done = state_->acknowledge(delivered); !done) note_state_error(done.error());
  }
  const auto health = sink_->health();
  const bool healthy = health.state == HealthState::up;
  if (healthy != sink_healthy_.load()) {
    if (healthy) {
      spdlog::info("sink {}: delivering again", sink_->kind());
    } else {
      spdlog::error("sink {}: {}: {}", sink_->kind(), to_string(health.state), health.reason);
    }
  }
  if (!healthy) {
    // "sink unreachable: Kafka: no broker of ... is reachable: 1/1 brokers are down"
    std::string problem =
        std::string(health.state == HealthState::fatal ? "sink failed: " : "sink unreachable: ") +
        (health.reason.empty() ? std::string(to_string(health.state)) : health.reason);
    std::lock_guard<std::mutex> lock(sink_problem_mutex_);
    if (problem != sink_problem_) sink_problem_ = std::move(problem);
  }
  sink_healthy_ = healthy;  // after the problem text: a reader that sees false finds its reason
  metrics_->set_sink_up(healthy);
  metrics_->set_outbox_depth(state_->outbox_depth());
}

void Service::Loop::housekeeping(Clock::time_point now) {
  if (!unsaved_feeds_.empty() && (now >= next_feed_save_ || unsaved_feeds_.size() >= kFeedSaveBatch)) {
    next_feed_save_ = now + kFeedSaveEvery;
    save_unsaved_feeds();
  }
  if (now >= next_expire_) {
    next_expire_ = now + kExpireEvery;
    if (auto stats = state_->expire(now)) {
      if (stats->removed > 0)
        spdlog::info("state: forgot {} articles not seen for {}", stats->removed,
                     format_delay(config_.article_retention));
    } else {
      note_state_error(stats.error());
    }
  }
  if (now >= next_status_) {
    next_status_ = now + kStatusEvery;
    update_status();
  }
}

void Service::Loop::update_status() {
  std::size_t healthy = 0;
  for (const auto& [url, feed] : feeds_) healthy += feed.healthy ? 1 : 0;
  metrics_->set_feeds(healthy, feeds_.size() - healthy);
  metrics_->set_outbox_depth(state_->outbox_depth());
  sd_notifyf(0, "STATUS=%zu feeds (%zu healthy), %llu alerts, outbox %zu%s", feeds_.size(), healthy,
             static_cast<unsigned long long>(alerts_total_), state_->outbox_depth(),
             polling_paused_ ? ", polling paused" : "");
}

void Service::Loop::shutdown() {
  sd_notify(0, "STOPPING=1");
  const auto abandoned = fetcher_->cancel_all();
  if (!abandoned.empty()) spdlog::info("abandoned {} transfers in flight", abandoned.size());
  auto timeout = config_.sink.type == SinkType::kafka ? config_.sink.kafka.flush_timeout : 2000ms;
  if (const auto health = sink_->health(); health.state != HealthState::up && !in_flight_.empty()) {
    // No broker can acknowledge anything now: waiting the whole flush timeout would only delay the stop
    // (systemd, an operator's restart). The outbox keeps what is in flight for the next start.
    timeout = std::min<std::chrono::milliseconds>(timeout, 1000ms);
    spdlog::info("sink {} cannot deliver ({}); not waiting for {} alerts in flight", sink_->kind(),
                 health.reason, in_flight_.size());
  }
  const auto report = sink_->flush(timeout);
  handle_sink_report(report, Clock::now());
  if (report.in_flight > 0) {
    spdlog::warn("{} alerts were not acknowledged before the flush timeout; they stay in the outbox",
                 report.in_flight);
  }
  save_unsaved_feeds();
  spdlog::info("stopped; outbox holds {} alerts", state_->outbox_depth());
}

void Service::Loop::begin_reload() {
  if (reload_.valid()) {
    reload_again_ = true;
    return;
  }
  const auto monotonic = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now().time_since_epoch());
  sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%lld", static_cast<long long>(monotonic.count()));
  // Parsing and compiling watchlists can take a while for large ones: do it off the loop.
  // The cache is in the running state directory: a changed state_dir applies at the next start.
  reload_ = std::async(std::launch::async, [file = config_.file, cache = matcher_cache_options(config_)] {
    Reloaded reloaded;
    auto config = load_config(file);
    if (!config) {
      for (const auto& problem : config.error()) reloaded.problems.push_back(problem.to_string());
      return reloaded;
    }
    apply_state_directory(*config);
    reloaded.cache.emplace();
    auto matcher = load_matcher_cached(config->watchlists, matcher_options(*config), cache, *reloaded.cache);
    if (!matcher) {
      for (const auto& problem : matcher.error()) reloaded.problems.push_back(problem.to_string());
      return reloaded;
    }
    reloaded.config = std::move(*config);
    reloaded.matcher = *matcher;
    return reloaded;
  });
}

void Service::Loop::finish_reload() {
  if (!reload_.valid() || reload_.wait_for(0s) != std::future_status::ready) return;
  Reloaded reloaded = reload_.get();
  if (reloaded.cache) note_matcher_cache(*reloaded.cache);
  if (!reloaded.config) {
    metrics_->reload("failed");
    // One line for one problem (the usual broken edit), so that an alert on log lines fires once.
    if (reloaded.problems.size() == 1) {
      spdlog::error("reload refused: {}; the configuration and watchlists in force stay in force",
                    reloaded.problems.front());
    } else {
      for (const auto& problem : reloaded.problems) spdlog::error("reload refused: {}", problem);
      spdlog::error("reload refused ({} problems): the configuration and watchlists in force stay in force",
                    reloaded.problems.size());
    }
  } else {
    Config& next = *reloaded.config;
    auto needs_restart = [&](bool changed, const char* what) {
      if (changed) spdlog::warn("reload: {} changed; that takes effect after a restart", what);
    };
    needs_restart(next.state_dir != config_.state_dir, "state_dir");
    needs_restart(next.article_retention != config_.article_retention, "article_retention");
    needs_restart(next.sink.type != config_.sink.type || next.sink.path != config_.sink.path ||
                      next.sink.kafka.brokers != config_.sink.kafka.brokers ||
                      next.sink.kafka.topic != config_.sink.kafka.topic ||
                      next.sink.kafka.properties != config_.sink.kafka.properties,
                  "sink");
    needs_restart(
        next.metrics.enabled != config_.metrics.enabled || next.metrics.listen != config_.metrics.listen,
        "metrics");
    const PollConfig& a = next.poll;
    const PollConfig& b = config_.poll;
    needs_restart(a.concurrency != b.concurrency || a.per_host != b.per_host ||
                      a.connect_timeout != b.connect_timeout || a.timeout != b.timeout ||
                      a.low_speed_bytes != b.low_speed_bytes || a.low_speed_time != b.low_speed_time ||
                      a.max_body_bytes != b.max_body_bytes || a.user_agent != b.user_agent ||
                      a.ca_file != b.ca_file || a.unhealthy_after != b.unhealthy_after,
                  "a poll setting other than interval");
    // Restart-only settings keep their running values; everything else applies now.
    next.state_dir = config_.state_dir;
    next.article_retention = config_.article_retention;
    next.sink = config_.sink;
    next.metrics = config_.metrics;
    const auto interval = next.poll.interval;
    next.poll = config_.poll;
    next.poll.interval = interval;

    setup_logging(next.log.level);
    matcher_ = reloaded.matcher;
    const auto now = Clock::now();
    const auto feeds = next.feeds;
    apply_feeds(feeds, config_.poll.interval, interval, now);
    config_ = std::move(next);
    std::vector<std::filesystem::path> watched = config_.watchlists;
    watched.push_back(config_.file);
    if (auto error = watcher_->watch(watched); !error.empty()) spdlog::warn("reload: {}", error);
    metrics_->reload("ok");
    spdlog::info("reloaded: {} feeds, {} watchlists ({} terms, {} rules)", feeds_.size(),
                 config_.watchlists.size(), matcher_->term_count(), matcher_->rule_count());
  }
  sd_notify(0, "READY=1");
  update_status();
  if (reload_again_) {
    reload_again_ = false;
    begin_reload();
  }
}

void Service::Loop::apply_feeds(const std::vector<FeedConfig>& feeds, std::chrono::seconds old_default,
                                std::chrono::seconds new_default, Clock::time_point now) {
  std::unordered_set<std::string> wanted;
  for (const auto& feed : feeds) wanted.insert(feed.url);
  for (auto it = feeds_.begin(); it != feeds_.end();) {
    if (wanted.count(it->first)) {
      ++it;
      continue;
    }
    spdlog::info("reload: feed {} removed", it->first);
    // Its row stays (a feed added again resumes where it was), so it gets its latest state now.
    if (unsaved_feeds_.erase(it->first) > 0) {
      if (auto saved = state_->save_feed(it->second.state); !saved) note_state_error(saved.error());
    }
    scheduler_->remove_feed(it->first);
    it = feeds_.erase(it);
  }
  for (const auto& feed_config : feeds) {
    auto it = feeds_.find(feed_config.url);
    if (it == feeds_.end()) {
      FeedEntry entry;
      entry.config = feed_config;
      entry.state.url = feed_config.url;
      if (auto persisted = state_->feed(feed_config.url); !persisted) {
        note_state_error(persisted.error());
      } else if (*persisted) {
        entry.state = **persisted;  // a feed removed and added again resumes where it was
      }
      entry.healthy = entry.state.consecutive_failures < config_.poll.unhealthy_after;
      scheduler_->add_feed(feed_config.url, feed_config.interval.value_or(new_default), now,
                           FeedResume{entry.state.next_poll, entry.state.consecutive_failures});
      feeds_.emplace(feed_config.url, std::move(entry));
      spdlog::info("reload: feed {} added", feed_config.url);
      continue;
    }
    const auto old_interval = it->second.config.interval.value_or(old_default);
    const auto new_interval = feed_config.interval.value_or(new_default);
    it->second.config = feed_config;
    if (old_interval != new_interval) scheduler_->update_feed(feed_config.url, new_interval, now);
  }
}

int Service::Loop::run() {
  if (!start()) return 1;
  sd_notify(0, "READY=1");
  update_status();
  // WatchdogSec=: ping at half the interval, from this loop only, so a stuck loop gets restarted.
  std::uint64_t watchdog_usec = 0;
  const bool watchdog = sd_watchdog_enabled(0, &watchdog_usec) > 0;
  const auto watchdog_every = std::chrono::microseconds(watchdog_usec / 2);
  auto next_watchdog = Clock::now();
  while (!service_.stop_requested_.load()) {
    auto now = Clock::now();
    if (watchdog && now >= next_watchdog) {
      sd_notify(0, "WATCHDOG=1");
      next_watchdog = now + watchdog_every;
    }
    last_progress_ = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    if (service_.reload_requested_.exchange(false)) begin_reload();
    finish_reload();
    pump_outbox(now);
    poll_due_feeds(now);

    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(kMaxLoopWait);
    if (auto next = scheduler_->next_wakeup()) {
      // Rounded up: a wait cut down to 0 ms spun the loop for the last fraction of a millisecond
      // before every due feed, which with 10,000 feeds was most of the daemon's CPU.
      wait = std::clamp(std::chrono::ceil<std::chrono::milliseconds>(*next - now), 0ms, wait);
    }
    if (!in_flight_.empty() || reload_.valid()) wait = std::min(wait, std::chrono::milliseconds(50));
    for (auto& result : fetcher_->run(wait)) handle_fetch(std::move(result));
    handle_sink_report(sink_->poll(0ms), Clock::now());
    housekeeping(Clock::now());
  }
  shutdown();
  return 0;
}

Service::Service(Config config) : config_(std::move(config)) {}
Service::~Service() = default;

int Service::run() {
  Loop loop(config_, *this);  // the loop keeps its own copy: reloads change it
  loop_ = &loop;
  const int code = loop.run();
  loop_ = nullptr;
  return code;
}

void Service::request_stop() {
  stop_requested_ = true;
  if (Loop* loop = loop_.load()) loop->wake();
}

void Service::request_reload() {
  reload_requested_ = true;
  if (Loop* loop = loop_.load()) loop->wake();
}

}  // namespace newswatch
