#pragma once
// When each feed is polled next: intervals, the spread of first polls, the server's freshness hints,
// backoff after failures, Retry-After, and feed health. No I/O and no clock of its own: every call
// takes `now` (the daemon passes std::chrono::system_clock::now(); tests pass fixed times, so they
// never sleep). Randomness (jitter) comes from an injected source.
//
// Use from the daemon's loop:
//   for (auto& url : scheduler.take_due(now, free_fetch_slots)) start_fetch(url);  // now in flight
//   ... on a response:  auto next = scheduler.on_success(url, hints, now);   // 200 / 304
//   ... on a failure:   auto next = scheduler.on_failure(url, {status, retry_after}, now);
//   sleep until scheduler.next_wakeup() (or an I/O event).
// Persist next->next_poll and next->consecutive_failures in the feed's state; pass them back through
// add_feed's FeedResume after a restart.
//
// Threads: one thread (the daemon's loop). Costs: add/remove/take/reschedule are O(log n) in the
// number of feeds (an ordered set keyed by next poll time), never a scan per tick.
#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace newswatch {

using WallTime = std::chrono::system_clock::time_point;

struct SchedulerOptions {
  std::chrono::seconds default_interval{300};
  // Backoff after the n-th consecutive failure: base * 2^(n-1), capped at max(backoff_cap, interval).
  std::chrono::seconds backoff_base{30};
  std::chrono::seconds backoff_cap{3600};
  // A server's freshness hints (max-age, Expires, RSS ttl) may stretch an interval up to this long.
  std::chrono::seconds hint_cap{3600};
  // Retry-After is honoured up to this long; a server asking for more is asked again after it.
  std::chrono::seconds retry_after_cap{6 * 3600};
  int unhealthy_after = 10;  // consecutive failures that make a feed unhealthy
};

// Returns a number uniform in [0, 1). Injected so that tests can seed it or pin it.
using UniformRandom = std::function<double()>;

// What the server said about how long its answer stays fresh. Each is honoured up to hint_cap.
struct FreshnessHints {
  std::optional<std::chrono::seconds> max_age;     // Cache-Control: max-age
  std::optional<std::chrono::seconds> expires_in;  // Expires - Date (or - now when Date is missing)
  std::optional<std::chrono::minutes> ttl;         // RSS <ttl>
};

// Reads the hints from raw header values (nullopt for an absent header). RFC 9111: no-store and
// no-cache give no max-age hint; an unreadable or past Expires gives none either.
FreshnessHints freshness_from_headers(std::optional<std::string_view> cache_control,
                                      std::optional<std::string_view> expires,
                                      std::optional<std::string_view> date, WallTime now);

// Retry-After (RFC 9110 10.2.3): delay-seconds, or an HTTP-date turned into the time from `now`
// (zero when already past). nullopt when unreadable.
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value, WallTime now);

struct FailureInfo {
  int http_status = 0;                     // 0 when there was no HTTP response (DNS, TLS, timeout, ...)
  std::optional<std::string> retry_after;  // the raw Retry-After header, when the response had one
};

// Where a feed stood when the daemon last stopped (from the state store).
struct FeedResume {
  std::optional<WallTime> next_poll;
  int consecutive_failures = 0;
};

// The outcome of a poll for the caller to persist and report.
struct Rescheduled {
  WallTime next_poll;
  int consecutive_failures = 0;
  bool healthy = true;
  bool health_changed = false;  // became unhealthy (the N-th failure) or healthy again (a success)
};

// A read-only view of one feed's schedule, for metrics and tests.
struct FeedSchedule {
  std::string url;
  std::chrono::seconds interval;
  WallTime next_poll;
  int consecutive_failures = 0;
  bool healthy = true;
  bool in_flight = false;
};

class FeedScheduler {
 public:
  // Without a random source, jitter comes from a std::mt19937_64 seeded by std::random_device.
  explicit FeedScheduler(SchedulerOptions options = {}, UniformRandom random = {});

  // Adds a feed; false when the URL is already scheduled. Without a persisted next poll, the first
  // poll falls at a fixed offset inside the first interval derived from a hash of the URL, so 10,000
  // feeds added at once do not all poll at start-up, and each keeps its phase across restarts. A
  // persisted next poll already due is due now; one in the future is kept, capped at now + interval.
  bool add_feed(std::string url, std::optional<std::chrono::seconds> interval, WallTime now,
                FeedResume resume = {});
  // Changes the interval; a shorter one takes effect now (next poll moves no later than now + interval),
  // a longer one from the next poll. A feed in backoff keeps its backoff. False when unknown.
  bool update_feed(std::string_view url, std::chrono::seconds interval, WallTime now);
  // Forgets the feed, even while in flight: its late on_success/on_failure then returns nullopt.
  bool remove_feed(std::string_view url);

  // The feeds due at `now` (earliest first, at most `limit`), now marked in flight: they are not
  // returned again until on_success or on_failure reschedules them.
  std::vector<std::string> take_due(WallTime now,
                                    std::size_t limit = std::numeric_limits<std::size_t>::max());
  // The earliest next poll of a feed not in flight; nullopt when there is none.
  std::optional<WallTime> next_wakeup() const;

  // After a 200 or 304: next poll = now + the longest of the interval and each hint (each capped at
  // hint_cap), without jitter. Resets backoff; reports a return to health. nullopt for an unknown URL.
  std::optional<Rescheduled> on_success(std::string_view url, const FreshnessHints& hints, WallTime now);
  // After any failure: exponential backoff with "equal jitter" (see scheduler.cpp); for 429 and 503 a
  // readable Retry-After replaces the backoff. The feed is never dropped; the unhealthy_after-th
  // consecutive failure reports it unhealthy. nullopt for an unknown URL.
  std::optional<Rescheduled> on_failure(std::string_view url, const FailureInfo& failure, WallTime now);

  std::optional<FeedSchedule> feed(std::string_view url) const;
  std::size_t size() const { return feeds_.size(); }
  std::size_t in_flight() const { return feeds_.size() - queue_.size(); }
  std::size_t unhealthy() const { return unhealthy_; }

 private:
  struct Entry {
    std::string url;
    std::chrono::seconds interval;
    WallTime next_poll;
    int consecutive_failures = 0;
    bool in_flight = false;
    uint64_t order = 0;  // breaks ties between equal times in insertion order: deterministic output
  };
  struct QueueSlot {
    WallTime when;
    uint64_t order;
    Entry* entry;
    bool operator<(const QueueSlot& other) const {
      return when != other.when ? when < other.when : order < other.order;
    }
  };
  struct UrlHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view url) const { return std::hash<std::string_view>{}(url); }
  };

  Entry* find(std::string_view url);
  void enqueue(Entry& entry, WallTime when);
  void dequeue(Entry& entry);
  bool healthy(const Entry& entry) const { return entry.consecutive_failures < options_.unhealthy_after; }
  std::chrono::milliseconds backoff(const Entry& entry);
  void follow_clock(WallTime now);

  SchedulerOptions options_;
  UniformRandom random_;
  std::unordered_map<std::string, Entry, UrlHash, std::equal_to<>> feeds_;
  std::set<QueueSlot> queue_;  // feeds not in flight, by next poll
  uint64_t next_order_ = 0;
  std::size_t unhealthy_ = 0;
  std::optional<WallTime> latest_now_;
};

}  // namespace newswatch
