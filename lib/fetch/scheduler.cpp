#include "fetch/scheduler.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <random>

// Jitter. After a failure the delay is drawn uniformly from [d/2, d] where d is the capped exponential
// backoff ("equal jitter", as named in AWS's "Exponential Backoff And Jitter", 2015). When a shared host
// or CDN fails, hundreds of feeds fail within seconds of each other; a fixed backoff would bring them
// all back in the same second, each retry round as a new spike. Spreading each retry over half of its
// delay decorrelates them within a few rounds, while (unlike "full jitter", uniform in [0, d]) never
// retrying a failing server sooner than half the nominal backoff. Successful polls get no jitter:
// first polls are already spread by URL hash and responses arrive at scattered times, so phases stay
// apart. A Retry-After delay gets up to +10 % so that feeds given the same HTTP-date do not all return
// in the same second, and never earlier than the server asked.

namespace newswatch {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::seconds;

// Backward wall-clock steps larger than this (NTP step, VM restore) shift every queued poll by the
// same amount; otherwise one step back of a day would stall every feed for a day.
constexpr seconds kClockStepTolerance{60};

uint64_t fnv1a(std::string_view text) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (const unsigned char c : text) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::optional<WallTime> parse_http_date(std::string_view text) {
  const std::string copy(text);  // curl_getdate wants a terminated string
  const time_t parsed = curl_getdate(copy.c_str(), nullptr);
  if (parsed == -1) return std::nullopt;
  return std::chrono::system_clock::from_time_t(parsed);
}

std::optional<int64_t> parse_seconds(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '"')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '"')) {
    text.remove_suffix(1);
  }
  int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error == std::errc::result_out_of_range && !text.empty()) return std::numeric_limits<int32_t>::max();
  if (error != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
  });
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

struct CacheControl {
  std::optional<seconds> max_age;
  bool no_store_or_cache = false;
};

CacheControl parse_cache_control(std::string_view header) {
  CacheControl parsed;
  while (!header.empty()) {
    const std::size_t comma = header.find(',');
    const std::string_view directive = trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    const std::size_t equals = directive.find('=');
    const std::string_view name = trim(directive.substr(0, equals));
    if (iequals(name, "no-store") || iequals(name, "no-cache")) parsed.no_store_or_cache = true;
    if (iequals(name, "max-age") && equals != std::string_view::npos) {
      if (auto value = parse_seconds(directive.substr(equals + 1))) parsed.max_age = seconds(*value);
    }
  }
  return parsed;
}

UniformRandom default_random() {
  return [engine = std::mt19937_64(std::random_device{}())]() mutable {
    return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
  };
}

milliseconds scaled(milliseconds span, double fraction) {
  return milliseconds(static_cast<int64_t>(static_cast<double>(span.count()) * fraction));
}

}  // namespace

FreshnessHints freshness_from_headers(std::optional<std::string_view> cache_control,
                                      std::optional<std::string_view> expires,
                                      std::optional<std::string_view> date, WallTime now) {
  FreshnessHints hints;
  bool uncacheable = false;
  if (cache_control) {
    const CacheControl parsed = parse_cache_control(*cache_control);
    uncacheable = parsed.no_store_or_cache;
    if (!uncacheable) hints.max_age = parsed.max_age;
  }
  if (expires && !uncacheable) {
    const std::optional<WallTime> expiry = parse_http_date(*expires);
    const std::optional<WallTime> sent = date ? parse_http_date(*date) : std::nullopt;
    // Expires - Date measures freshness with the server's own clock, immune to skew with ours.
    const WallTime base = sent.value_or(now);
    if (expiry && *expiry > base) hints.expires_in = duration_cast<seconds>(*expiry - base);
  }
  return hints;
}

std::optional<seconds> parse_retry_after(std::string_view value, WallTime now) {
  if (auto delay = parse_seconds(value)) return seconds(*delay);
  if (auto when = parse_http_date(trim(value))) {
    return *when > now ? duration_cast<seconds>(*when - now) : seconds(0);
  }
  return std::nullopt;
}

FeedScheduler::FeedScheduler(SchedulerOptions options, UniformRandom random)
    : options_(options), random_(random ? std::move(random) : default_random()) {}

FeedScheduler::Entry* FeedScheduler::find(std::string_view url) {
  const auto found = feeds_.find(url);
  return found == feeds_.end() ? nullptr : &found->second;
}

void FeedScheduler::enqueue(Entry& entry, WallTime when) {
  entry.next_poll = when;
  entry.in_flight = false;
  queue_.insert(QueueSlot{when, entry.order, &entry});
}

void FeedScheduler::dequeue(Entry& entry) {
  if (!entry.in_flight) queue_.erase(QueueSlot{entry.next_poll, entry.order, &entry});
}

bool FeedScheduler::add_feed(std::string url, std::optional<seconds> interval, WallTime now,
                             FeedResume resume) {
  if (feeds_.contains(url)) return false;
  const seconds every = std::max(interval.value_or(options_.default_interval), seconds(1));
  auto [position, inserted] = feeds_.try_emplace(url);
  Entry& entry = position->second;
  entry.url = std::move(url);
  entry.interval = every;
  entry.consecutive_failures = std::max(resume.consecutive_failures, 0);
  entry.order = next_order_++;
  if (!healthy(entry)) ++unhealthy_;

  WallTime first;
  if (resume.next_poll) {
    first = std::clamp(*resume.next_poll, now, now + every);
  } else {
    const auto period = duration_cast<milliseconds>(every).count();
    first = now + milliseconds(static_cast<int64_t>(fnv1a(entry.url) % static_cast<uint64_t>(period)));
  }
  enqueue(entry, first);
  return inserted;
}

bool FeedScheduler::update_feed(std::string_view url, seconds interval, WallTime now) {
  Entry* entry = find(url);
  if (!entry) return false;
  entry->interval = std::max(interval, seconds(1));
  if (!entry->in_flight && entry->consecutive_failures == 0 && entry->next_poll > now + entry->interval) {
    dequeue(*entry);
    enqueue(*entry, now + entry->interval);
  }
  return true;
}

bool FeedScheduler::remove_feed(std::string_view url) {
  const auto found = feeds_.find(url);
  if (found == feeds_.end()) return false;
  dequeue(found->second);
  if (!healthy(found->second)) --unhealthy_;
  feeds_.erase(found);
  return true;
}

void FeedScheduler::follow_clock(WallTime now) {
  if (latest_now_ && now + kClockStepTolerance < *latest_now_) {
    const auto step = *latest_now_ - now;
    std::set<QueueSlot> shifted;
    for (const QueueSlot& slot : queue_) {
      slot.entry->next_poll = slot.when - step;
      shifted.insert(shifted.end(), QueueSlot{slot.entry->next_poll, slot.order, slot.entry});
    }
    queue_ = std::move(shifted);
    latest_now_ = now;
    return;
  }
  latest_now_ = latest_now_ ? std::max(*latest_now_, now) : now;
}

std::vector<std::string> FeedScheduler::take_due(WallTime now, std::size_t limit) {
  follow_clock(now);
  std::vector<std::string> due;
  while (!queue_.empty() && due.size() < limit && queue_.begin()->when <= now) {
    Entry& entry = *queue_.begin()->entry;
    queue_.erase(queue_.begin());
    entry.in_flight = true;
    due.push_back(entry.url);
  }
  return due;
}

std::optional<WallTime> FeedScheduler::next_wakeup() const {
  if (queue_.empty()) return std::nullopt;
  return queue_.begin()->when;
}

std::optional<Rescheduled> FeedScheduler::on_success(std::string_view url, const FreshnessHints& hints,
                                                     WallTime now) {
  Entry* entry = find(url);
  if (!entry) return std::nullopt;
  seconds delay = entry->interval;
  auto honour = [&](std::optional<seconds> hint) {
    if (hint) delay = std::max(delay, std::min(*hint, options_.hint_cap));
  };
  honour(hints.max_age);
  honour(hints.expires_in);
  honour(hints.ttl ? std::optional<seconds>(*hints.ttl) : std::nullopt);

  const bool was_healthy = healthy(*entry);
  if (!was_healthy) --unhealthy_;
  entry->consecutive_failures = 0;
  dequeue(*entry);
  enqueue(*entry, now + delay);
  return Rescheduled{entry->next_poll, 0, true, !was_healthy};
}

milliseconds FeedScheduler::backoff(const Entry& entry) {
  const seconds cap = std::max(options_.backoff_cap, entry.interval);
  seconds nominal = options_.backoff_base;
  for (int i = 1; i < entry.consecutive_failures && nominal < cap; ++i) nominal *= 2;
  nominal = std::min(nominal, cap);
  const milliseconds half = duration_cast<milliseconds>(nominal) / 2;
  return half + scaled(half, random_());
}

std::optional<Rescheduled> FeedScheduler::on_failure(std::string_view url, const FailureInfo& failure,
                                                     WallTime now) {
  Entry* entry = find(url);
  if (!entry) return std::nullopt;
  const bool was_healthy = healthy(*entry);
  ++entry->consecutive_failures;
  const bool is_healthy = healthy(*entry);
  if (was_healthy && !is_healthy) ++unhealthy_;

  milliseconds delay = backoff(*entry);
  const bool may_retry_after = failure.http_status == 429 || failure.http_status == 503;
  if (may_retry_after && failure.retry_after) {
    if (auto asked = parse_retry_after(*failure.retry_after, now)) {
      // Never sooner than backoff_base, however small the server's number: a server answering
      // "Retry-After: 0" to every request must not be polled in a tight loop.
      const milliseconds base = duration_cast<milliseconds>(
          std::clamp(*asked, options_.backoff_base, options_.retry_after_cap));
      delay = base + scaled(base / 10, random_());
    }
  }
  dequeue(*entry);
  enqueue(*entry, now + delay);
  return Rescheduled{entry->next_poll, entry->consecutive_failures, is_healthy, was_healthy != is_healthy};
}

std::optional<FeedSchedule> FeedScheduler::feed(std::string_view url) const {
  const auto found = feeds_.find(url);
  if (found == feeds_.end()) return std::nullopt;
  const Entry& entry = found->second;
  return FeedSchedule{entry.url,      entry.interval,  entry.next_poll, entry.consecutive_failures,
                      healthy(entry), entry.in_flight};
}

}  // namespace newswatch
