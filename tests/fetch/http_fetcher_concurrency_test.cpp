// Concurrency: one thread, total and per-host limits, FIFO waiting, many feeds, wakeup, cancel.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "fetch/detail/host_queue.hpp"
#include "fetch_helpers.hpp"
#include "http_server.hpp"

using namespace newswatch;
using namespace newswatch::testing;

namespace {

void submit_url(HttpFetcher& fetcher, const std::string& url) {
  fetcher.submit(FetchRequest{url, url, "", ""});
}

int max_concurrent(const LoopbackHttpServer& server, const std::string& group) {
  return nlohmann::json::parse(server.requests_json())["max_concurrent"].value(group, 0);
}

}  // namespace

TEST_CASE("HostQueue hands out items in submission order among hosts below the limit", "[fetch][queue]") {
  fetch_detail::HostQueue<int> queue(2);
  queue.push("a", 1);
  queue.push("a", 2);
  queue.push("a", 3);
  queue.push("b", 4);
  queue.push("a", 5);
  CHECK(queue.waiting() == 5);
  CHECK(queue.pop_ready() == 1);
  CHECK(queue.pop_ready() == 2);
  CHECK(queue.pop_ready() == 4);  // "a" is at its limit: 3 waits
  CHECK_FALSE(queue.pop_ready().has_value());
  CHECK(queue.active("a") == 2);
  queue.release("a");
  CHECK(queue.pop_ready() == 3);
  CHECK_FALSE(queue.pop_ready().has_value());
  queue.release("a");
  queue.release("b");
  CHECK(queue.pop_ready() == 5);
  CHECK(queue.waiting() == 0);
  queue.push("c", 6);
  queue.push("c", 7);
  CHECK(queue.drain() == std::vector<int>{6, 7});
  CHECK(queue.waiting() == 0);
}

TEST_CASE("per-host transfers never exceed the limit; the rest wait in the queue", "[fetch][concurrency]") {
  LoopbackHttpServer server;
  FetchOptions options = short_fetch_options();
  options.max_transfers_per_host = 2;
  HttpFetcher fetcher(options);
  for (int i = 0; i < 8; ++i) submit_url(fetcher, server.url("/delay/300?n=" + std::to_string(i)));
  CHECK(fetcher.queued() == 8);
  CHECK(fetcher.in_flight() == 0);
  CHECK(fetcher.run(std::chrono::milliseconds(0)).empty());
  CHECK(fetcher.in_flight() == 2);
  CHECK(fetcher.queued() == 6);

  std::vector<FetchResult> results = run_until(fetcher, 8);
  for (auto& result : results) CHECK(result.ok());
  CHECK(max_concurrent(server, "delay") == 2);
  CHECK(fetcher.in_flight() == 0);
  CHECK(fetcher.queued() == 0);
}

TEST_CASE("the total limit holds across hosts", "[fetch][concurrency]") {
  LoopbackHttpServer first, second;
  FetchOptions options = short_fetch_options();
  options.max_total_transfers = 3;
  options.max_transfers_per_host = 10;
  HttpFetcher fetcher(options);
  for (int i = 0; i < 6; ++i) {
    submit_url(fetcher, first.url("/delay/300?n=" + std::to_string(i)));
    submit_url(fetcher, second.url("/delay/300?n=" + std::to_string(i)));
  }
  fetcher.run(std::chrono::milliseconds(0));
  CHECK(fetcher.in_flight() == 3);
  CHECK(fetcher.queued() == 9);
  std::vector<FetchResult> results = run_until(fetcher, 12);
  for (auto& result : results) CHECK(result.ok());
  CHECK(max_concurrent(first, "delay") + max_concurrent(second, "delay") <= 4);  // 3 at once, +1 handover
  CHECK(max_concurrent(first, "delay") <= 3);
  CHECK(max_concurrent(second, "delay") <= 3);
}

TEST_CASE("waiting requests start in submission order", "[fetch][concurrency]") {
  LoopbackHttpServer server;
  FetchOptions options = short_fetch_options();
  options.max_total_transfers = 1;
  HttpFetcher fetcher(options);
  std::vector<std::string> submitted;
  for (int i = 0; i < 6; ++i) {
    submitted.push_back(server.url("/delay/20?n=" + std::to_string(i)));
    submit_url(fetcher, submitted.back());
  }
  std::vector<FetchResult> results = run_until(fetcher, 6);
  std::vector<std::string> finished;
  for (auto& result : results) finished.push_back(result.feed_url);
  CHECK(finished == submitted);
}

TEST_CASE("500 feeds complete from one thread, each exactly once", "[fetch][concurrency]") {
  LoopbackHttpServer first, second;
  FetchOptions options = short_fetch_options();
  options.max_transfers_per_host = 16;
  HttpFetcher fetcher(options);
  std::set<std::string> urls;
  for (int i = 0; i < 250; ++i) {
    for (auto* server : {&first, &second}) {
      std::string url = server->url("/feed?n=" + std::to_string(i));
      urls.insert(url);
      submit_url(fetcher, url);
    }
  }
  CHECK(fetcher.queued() == 500);
  std::vector<FetchResult> results = run_until(fetcher, 500);
  REQUIRE(results.size() == 500);
  std::set<std::string> seen;
  for (auto& result : results) {
    INFO((result.error ? result.error->message : ""));
    CHECK(result.ok());
    CHECK(result.response.status == 200);
    seen.insert(result.feed_url);
  }
  CHECK(seen == urls);
  CHECK(fetcher.run(std::chrono::milliseconds(0)).empty());
  auto counts = nlohmann::json::parse(first.requests_json())["counts"];
  CHECK(counts.size() == 250);
  CHECK(max_concurrent(first, "feed") <= 16);
}

TEST_CASE("wakeup() ends a run() that waits with nothing to do", "[fetch][concurrency]") {
  HttpFetcher fetcher(short_fetch_options());
  auto started = std::chrono::steady_clock::now();
  std::thread waker([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    fetcher.wakeup();
  });
  std::vector<FetchResult> results = fetcher.run(std::chrono::minutes(10));
  waker.join();
  CHECK(results.empty());
  // Far below the 10 minutes it would wait without the wakeup; not a performance bound.
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::minutes(1));
}

TEST_CASE("cancel_all() ends running and queued transfers with one result each", "[fetch][concurrency]") {
  LoopbackHttpServer server;
  FetchOptions options = short_fetch_options();
  options.max_transfers_per_host = 2;
  HttpFetcher fetcher(options);
  for (int i = 0; i < 5; ++i) submit_url(fetcher, server.url("/hang?n=" + std::to_string(i)));
  fetcher.run(std::chrono::milliseconds(100));
  REQUIRE(fetcher.in_flight() == 2);
  REQUIRE(fetcher.queued() == 3);
  std::vector<FetchResult> results = fetcher.cancel_all();
  REQUIRE(results.size() == 5);
  std::set<std::string> seen;
  for (auto& result : results) {
    REQUIRE_FALSE(result.ok());
    CHECK(result.error->kind == FetchErrorKind::cancelled);
    seen.insert(result.feed_url);
  }
  CHECK(seen.size() == 5);
  CHECK(fetcher.in_flight() == 0);
  CHECK(fetcher.queued() == 0);
  // The fetcher stays usable after a cancel.
  submit_url(fetcher, server.url("/feed"));
  CHECK(run_until(fetcher, 1).front().ok());
}
