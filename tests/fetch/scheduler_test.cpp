#include "fetch/scheduler.hpp"

#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

using namespace newswatch;
using namespace std::chrono_literals;
using std::chrono::seconds;

namespace {

// 2026-11-28 04:00:00 UTC, a Saturday.
const WallTime t0 = std::chrono::sys_days(std::chrono::year(2026) / 11 / 28) + 4h;

UniformRandom fixed(double value) {
  return [value] { return value; };
}

UniformRandom seeded(uint64_t seed) {
  return [engine = std::mt19937_64(seed)]() mutable {
    return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
  };
}

std::string url(int number) { return std::string("https://feeds.example/").append(std::to_string(number)); }

// A scheduler holding one feed that is in flight at t0, as after take_due.
FeedScheduler one_feed_in_flight(UniformRandom random, seconds interval = 300s,
                                 SchedulerOptions options = {}) {
  FeedScheduler scheduler(options, std::move(random));
  REQUIRE(scheduler.add_feed("https://a.example/feed", interval, t0, FeedResume{t0, 0}));
  REQUIRE(scheduler.take_due(t0) == std::vector<std::string>{"https://a.example/feed"});
  return scheduler;
}

seconds after_failure(FeedScheduler& scheduler, const FailureInfo& failure, WallTime now) {
  const auto next = scheduler.on_failure("https://a.example/feed", failure, now);
  REQUIRE(next.has_value());
  REQUIRE(scheduler.take_due(next->next_poll).size() == 1);
  return std::chrono::duration_cast<seconds>(next->next_poll - now);
}

}  // namespace

TEST_CASE("first polls are spread over the interval, deterministically by URL") {
  FeedScheduler scheduler({}, fixed(0.5));
  FeedScheduler again({}, fixed(0.5));
  for (int i = 0; i < 1000; ++i) {
    REQUIRE(scheduler.add_feed(url(i), 300s, t0));
    REQUIRE(again.add_feed(url(i), 300s, t0 + 1h));
  }
  CHECK_FALSE(scheduler.add_feed(url(7), 300s, t0));  // already scheduled
  std::map<int, int> per_30s;
  for (int i = 0; i < 1000; ++i) {
    const WallTime first = scheduler.feed(url(i))->next_poll;
    REQUIRE(first >= t0);
    REQUIRE(first < t0 + 300s);
    ++per_30s[static_cast<int>(std::chrono::duration_cast<seconds>(first - t0).count() / 30)];
    CHECK(again.feed(url(i))->next_poll - (t0 + 1h) == first - t0);  // the same phase after a restart
  }
  REQUIRE(per_30s.size() == 10);
  for (const auto& [bucket, count] : per_30s) {
    INFO("bucket " << bucket);
    CHECK(count >= 60);
    CHECK(count <= 140);
  }
  CHECK(scheduler.take_due(t0).size() <= 2);
  CHECK(scheduler.take_due(t0 + 150s).size() >= 350);
}

TEST_CASE("a persisted next poll is honoured: due now if past, kept if sooner than an interval") {
  FeedScheduler scheduler({}, fixed(0.5));
  scheduler.add_feed("https://past.example", 300s, t0, FeedResume{t0 - 1h, 2});
  scheduler.add_feed("https://soon.example", 300s, t0, FeedResume{t0 + 100s, 0});
  scheduler.add_feed("https://far.example", 300s, t0, FeedResume{t0 + 24h, 0});
  CHECK(scheduler.feed("https://past.example")->next_poll == t0);
  CHECK(scheduler.feed("https://past.example")->consecutive_failures == 2);
  CHECK(scheduler.feed("https://soon.example")->next_poll == t0 + 100s);
  CHECK(scheduler.feed("https://far.example")->next_poll == t0 + 300s);
  CHECK(scheduler.take_due(t0) == std::vector<std::string>{"https://past.example"});
  CHECK(scheduler.next_wakeup() == t0 + 100s);
}

TEST_CASE("after a success the next poll is one interval later, per feed") {
  SchedulerOptions options;
  options.default_interval = 600s;
  FeedScheduler scheduler(options, fixed(0.5));
  scheduler.add_feed("https://default.example", std::nullopt, t0, FeedResume{t0, 0});
  scheduler.add_feed("https://fast.example", 60s, t0, FeedResume{t0, 0});
  CHECK(scheduler.take_due(t0).size() == 2);
  CHECK(scheduler.take_due(t0).empty());  // in flight: not handed out twice
  CHECK(scheduler.next_wakeup() == std::nullopt);
  CHECK(scheduler.in_flight() == 2);
  const auto fast = scheduler.on_success("https://fast.example", {}, t0 + 2s);
  const auto slow = scheduler.on_success("https://default.example", {}, t0 + 3s);
  REQUIRE(fast);
  REQUIRE(slow);
  CHECK(fast->next_poll == t0 + 62s);
  CHECK(slow->next_poll == t0 + 603s);
  CHECK_FALSE(fast->health_changed);
  CHECK(scheduler.next_wakeup() == t0 + 62s);
  CHECK(scheduler.take_due(t0 + 61s).empty());
  CHECK(scheduler.take_due(t0 + 62s) == std::vector<std::string>{"https://fast.example"});
}

TEST_CASE("the server's freshness hints stretch the interval up to one hour") {
  struct Case {
    FreshnessHints hints;
    seconds interval;
    seconds expected;
  };
  const std::vector<Case> cases = {
      {{600s, std::nullopt, std::nullopt}, 300s, 600s},          // max-age
      {{100s, std::nullopt, std::nullopt}, 300s, 300s},          // shorter than the interval: interval
      {{7200s, std::nullopt, std::nullopt}, 300s, 3600s},        // capped at 1 h
      {{std::nullopt, 900s, std::nullopt}, 300s, 900s},          // Expires - Date
      {{std::nullopt, 86400s, std::nullopt}, 300s, 3600s},       // capped
      {{std::nullopt, std::nullopt, 30min}, 300s, 1800s},        // RSS ttl
      {{std::nullopt, std::nullopt, 600min}, 300s, 3600s},       // capped
      {{600s, 1200s, 15min}, 300s, 1200s},                       // the latest of all
      {{600s, std::nullopt, 120min}, 2h, 2h},                    // a long interval is kept
  };
  for (const Case& one : cases) {
    auto scheduler = one_feed_in_flight(fixed(0.5), one.interval);
    const auto next = scheduler.on_success("https://a.example/feed", one.hints, t0);
    REQUIRE(next);
    CHECK(next->next_poll - t0 == one.expected);
  }
}

TEST_CASE("freshness hints are read from Cache-Control, Expires and Date") {
  auto hints = freshness_from_headers("public, max-age=900", std::nullopt, std::nullopt, t0);
  CHECK(hints.max_age == 900s);
  CHECK_FALSE(hints.expires_in.has_value());
  CHECK(freshness_from_headers("Max-Age=\"120\", must-revalidate", {}, {}, t0).max_age == 120s);
  CHECK_FALSE(freshness_from_headers("no-cache, max-age=900", {}, {}, t0).max_age.has_value());
  CHECK_FALSE(freshness_from_headers("max-age=soon", {}, {}, t0).max_age.has_value());

  // Expires - Date uses the server's clock: our own clock (t0 + 1 day) does not matter.
  const std::string_view date = "Thu, 01 Jan 2026 10:00:00 GMT";
  hints = freshness_from_headers(std::nullopt, "Thu, 01 Jan 2026 10:20:00 GMT", date, t0 + 24h);
  CHECK(hints.expires_in == 1200s);
  hints = freshness_from_headers(std::nullopt, "Sat, 28 Nov 2026 04:30:00 GMT", std::nullopt, t0);
  CHECK(hints.expires_in == 1800s);  // no Date: from now
  CHECK_FALSE(freshness_from_headers({}, "0", date, t0).expires_in.has_value());
  CHECK_FALSE(freshness_from_headers({}, "Thu, 01 Jan 2026 09:00:00 GMT", date, t0).expires_in.has_value());
  const std::string_view expires = "Sat, 28 Nov 2026 04:30:00 GMT";
  CHECK_FALSE(freshness_from_headers("no-store", expires, {}, t0).expires_in.has_value());
}

TEST_CASE("failures back off exponentially from 30 s, capped, and a success resets it") {
  // Pinned to the top of the jitter range, each delay is the nominal backoff.
  auto scheduler = one_feed_in_flight(fixed(0.999999));
  const std::vector<int64_t> expected = {30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600};
  WallTime now = t0;
  for (const int64_t nominal : expected) {
    const seconds delay = after_failure(scheduler, FailureInfo{500, std::nullopt}, now);
    CHECK(delay.count() >= nominal - 1);
    CHECK(delay.count() <= nominal);
    now += delay;
  }
  CHECK(scheduler.feed("https://a.example/feed")->consecutive_failures == 10);
  const auto success = scheduler.on_success("https://a.example/feed", {}, now);
  REQUIRE(success);
  CHECK(success->next_poll == now + 300s);
  CHECK(success->consecutive_failures == 0);
  REQUIRE(scheduler.take_due(success->next_poll).size() == 1);
  // 30 s again (29.999 s, floored to whole seconds).
  CHECK(after_failure(scheduler, FailureInfo{0, std::nullopt}, now).count() == 29);

  SECTION("the cap is the interval when that is longer than an hour") {
    auto slow = one_feed_in_flight(fixed(0.999999), 3h);
    seconds delay{};
    for (int i = 0; i < 12; ++i) delay = after_failure(slow, FailureInfo{500, std::nullopt}, t0);
    CHECK(delay.count() >= 3 * 3600 - 1);
    CHECK(delay.count() <= 3 * 3600);
  }
}

TEST_CASE("backoff jitter stays within [d/2, d] and actually spreads") {
  auto bottom = one_feed_in_flight(fixed(0.0));
  CHECK(after_failure(bottom, FailureInfo{502, std::nullopt}, t0) == 15s);
  CHECK(after_failure(bottom, FailureInfo{502, std::nullopt}, t0) == 30s);

  std::vector<double> fractions;
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    auto scheduler = one_feed_in_flight(seeded(seed));
    int64_t nominal = 30'000;
    for (int failure = 1; failure <= 9; ++failure) {
      const auto next = scheduler.on_failure("https://a.example/feed", FailureInfo{0, std::nullopt}, t0);
      REQUIRE(scheduler.take_due(next->next_poll).size() == 1);
      const int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(next->next_poll - t0).count();
      REQUIRE(ms >= nominal / 2);
      REQUIRE(ms <= nominal);
      fractions.push_back(static_cast<double>(ms) / static_cast<double>(nominal));
      nominal = std::min<int64_t>(nominal * 2, 3'600'000);
    }
  }
  CHECK(*std::min_element(fractions.begin(), fractions.end()) < 0.52);
  CHECK(*std::max_element(fractions.begin(), fractions.end()) > 0.98);
  // Two feeds failing at the same instant come back at different times.
  auto a = one_feed_in_flight(seeded(1));
  auto b = one_feed_in_flight(seeded(2));
  const FailureInfo unavailable{503, std::nullopt};
  CHECK(after_failure(a, unavailable, t0) != after_failure(b, unavailable, t0));
}

TEST_CASE("Retry-After is read as seconds or an HTTP date") {
  CHECK(parse_retry_after("120", t0) == 120s);
  CHECK(parse_retry_after(" 7 ", t0) == 7s);
  CHECK(parse_retry_after("Sat, 28 Nov 2026 04:10:00 GMT", t0) == 600s);
  CHECK(parse_retry_after("Sat, 28 Nov 2026 03:00:00 GMT", t0) == 0s);  // already past
  CHECK(parse_retry_after("soon", t0) == std::nullopt);
  CHECK(parse_retry_after("-5", t0) == std::nullopt);
  CHECK(parse_retry_after("", t0) == std::nullopt);
}

TEST_CASE("429 and 503 honour Retry-After; other statuses and a missing header back off") {
  auto scheduler = one_feed_in_flight(fixed(0.0));
  CHECK(after_failure(scheduler, FailureInfo{429, "120"}, t0) == 120s);
  CHECK(after_failure(scheduler, FailureInfo{503, "Sat, 28 Nov 2026 04:10:00 GMT"}, t0) == 600s);
  CHECK(after_failure(scheduler, FailureInfo{429, "0"}, t0) == 30s);        // never a tight loop
  CHECK(after_failure(scheduler, FailureInfo{503, "604800"}, t0) == 6h);    // a week is capped
  CHECK(after_failure(scheduler, FailureInfo{429, "whenever"}, t0) == 240s);  // unreadable: backoff (5th)

  auto other = one_feed_in_flight(fixed(0.0));
  CHECK(after_failure(other, FailureInfo{500, "120"}, t0) == 15s);  // 500's Retry-After is not ours to honour
  CHECK(after_failure(other, FailureInfo{429, std::nullopt}, t0) == 30s);
  CHECK(after_failure(other, FailureInfo{503, std::nullopt}, t0) == 60s);

  // Retry-After gets up to +10 %, never less than asked.
  auto top = one_feed_in_flight(fixed(0.999999));
  const seconds delay = after_failure(top, FailureInfo{503, "1000"}, t0);
  CHECK(delay >= 1099s);
  CHECK(delay <= 1100s);
}

TEST_CASE("a feed turns unhealthy after N consecutive failures and healthy on success") {
  SchedulerOptions options;
  options.unhealthy_after = 4;
  auto scheduler = one_feed_in_flight(fixed(0.5), 300s, options);
  std::vector<bool> changed;
  std::vector<bool> healthy;
  for (int i = 0; i < 6; ++i) {
    const auto next = scheduler.on_failure("https://a.example/feed", FailureInfo{0, std::nullopt}, t0);
    REQUIRE(next);
    changed.push_back(next->health_changed);
    healthy.push_back(next->healthy);
    REQUIRE(scheduler.take_due(next->next_poll).size() == 1);  // never given up
  }
  CHECK(changed == std::vector<bool>{false, false, false, true, false, false});
  CHECK(healthy == std::vector<bool>{true, true, true, false, false, false});
  CHECK(scheduler.unhealthy() == 1);
  const auto back = scheduler.on_success("https://a.example/feed", {}, t0);
  REQUIRE(back);
  CHECK(back->healthy);
  CHECK(back->health_changed);
  CHECK(scheduler.unhealthy() == 0);
  REQUIRE(scheduler.take_due(back->next_poll).size() == 1);
  CHECK_FALSE(scheduler.on_success("https://a.example/feed", {}, t0)->health_changed);

  FeedScheduler restarted(options, fixed(0.5));
  restarted.add_feed("https://a.example/feed", 300s, t0, FeedResume{t0, 7});
  CHECK_FALSE(restarted.feed("https://a.example/feed")->healthy);
  CHECK(restarted.unhealthy() == 1);
  restarted.remove_feed("https://a.example/feed");
  CHECK(restarted.unhealthy() == 0);
}

TEST_CASE("10,000 feeds: each due once per interval, removed ones never, in-flight ones not twice") {
  FeedScheduler scheduler({}, seeded(7));
  constexpr int kFeeds = 10'000;
  for (int i = 0; i < kFeeds; ++i) REQUIRE(scheduler.add_feed(url(i), 300s, t0));
  for (int i = 0; i < kFeeds; i += 3) REQUIRE(scheduler.remove_feed(url(i)));
  CHECK_FALSE(scheduler.remove_feed(url(0)));
  const std::size_t remaining = scheduler.size();
  CHECK(remaining == kFeeds - 3334);

  // Walk the first interval a second at a time (ending at t0 + 299.999 s, as first polls fall in
  // [t0, t0 + 300 s) at millisecond precision), answering every poll at once.
  std::map<std::string, int> polled;
  std::size_t max_batch = 0;
  for (WallTime now = t0 + 999ms; now < t0 + 300s; now += 1s) {
    const auto due = scheduler.take_due(now);
    max_batch = std::max(max_batch, due.size());
    for (const auto& feed : due) {
      ++polled[feed];
      REQUIRE(scheduler.on_success(feed, {}, now).has_value());
    }
    if (auto wakeup = scheduler.next_wakeup()) REQUIRE(*wakeup > now);
  }
  CHECK(polled.size() == remaining);
  for (const auto& [feed, count] : polled) REQUIRE(count == 1);
  for (int i = 0; i < kFeeds; i += 3) REQUIRE_FALSE(polled.contains(url(i)));
  CHECK(max_batch < 100);  // about 22 a second when spread evenly

  // The second interval, with a fetch-slot limit and nothing answered: none is handed out twice.
  std::set<std::string> in_flight;
  for (WallTime now = t0 + 300s; now < t0 + 600s; now += 1s) {
    for (const auto& feed : scheduler.take_due(now, 10)) REQUIRE(in_flight.insert(feed).second);
  }
  for (const auto& feed : scheduler.take_due(t0 + 1h)) REQUIRE(in_flight.insert(feed).second);
  CHECK(in_flight.size() == remaining);
  CHECK(scheduler.in_flight() == remaining);
  CHECK(scheduler.next_wakeup() == std::nullopt);
  CHECK(scheduler.take_due(t0 + 2h).empty());
}

TEST_CASE("interval changes and removal while in flight") {
  FeedScheduler scheduler({}, fixed(0.5));
  scheduler.add_feed("https://a.example", 3600s, t0, FeedResume{t0 + 3000s, 0});
  CHECK(scheduler.update_feed("https://a.example", 600s, t0));
  CHECK(scheduler.feed("https://a.example")->next_poll == t0 + 600s);  // shorter: now
  CHECK(scheduler.update_feed("https://a.example", 7200s, t0));
  CHECK(scheduler.feed("https://a.example")->next_poll == t0 + 600s);  // longer: from the next poll
  CHECK_FALSE(scheduler.update_feed("https://unknown.example", 60s, t0));

  REQUIRE(scheduler.take_due(t0 + 600s).size() == 1);
  CHECK(scheduler.on_success("https://a.example", {}, t0 + 601s)->next_poll == t0 + 601s + 7200s);
  REQUIRE(scheduler.take_due(t0 + 601s + 7200s).size() == 1);
  CHECK(scheduler.remove_feed("https://a.example"));
  CHECK(scheduler.on_success("https://a.example", {}, t0 + 3h) == std::nullopt);
  CHECK(scheduler.on_failure("https://a.example", FailureInfo{500, std::nullopt}, t0 + 3h) == std::nullopt);
  CHECK(scheduler.size() == 0);
}

TEST_CASE("a backward step of the wall clock shifts the schedule instead of stalling it") {
  FeedScheduler scheduler({}, fixed(0.5));
  scheduler.add_feed("https://a.example", 300s, t0, FeedResume{t0 + 100s, 0});
  CHECK(scheduler.take_due(t0 + 10s).empty());
  CHECK(scheduler.take_due(t0 + 10s - 24h).empty());  // the clock stepped back a day
  CHECK(scheduler.next_wakeup() == t0 + 100s - 24h);
  CHECK(scheduler.take_due(t0 + 100s - 24h).size() == 1);
}
