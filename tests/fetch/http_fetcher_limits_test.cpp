// Limits that protect the daemon from hostile servers: the decoded-size cap, low speed, total time.
#include <curl/curl.h>
#include <sys/resource.h>

#include <catch2/catch.hpp>
#include <map>

#include "fetch_helpers.hpp"
#include "http_server.hpp"

using namespace newswatch;
using namespace newswatch::testing;

namespace {

long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

}  // namespace

TEST_CASE("the cap cuts a gzip bomb after decoding, with bounded memory", "[fetch][limits]") {
  LoopbackHttpServer server;
  FetchOptions options = short_fetch_options();
  options.max_body_bytes = 1 << 20;
  long rss_before = peak_rss_kib();
  FetchResult result = fetch_one(server.url("/bomb"), options);  // 2 GiB once decoded
  REQUIRE_FALSE(result.ok());
  CHECK(result.error->kind == FetchErrorKind::too_large);
  CHECK(result.error->message ==
        "GET " + server.url("/bomb") + ": body larger than 1048576 bytes after decoding");
  // libcurl hands decoded data over in pieces of at most CURL_MAX_WRITE_SIZE.
  CHECK(result.response.decoded_bytes > options.max_body_bytes);
  CHECK(result.response.decoded_bytes <= options.max_body_bytes + CURL_MAX_WRITE_SIZE);
  CHECK(result.response.wire_bytes < 1'000'000);  // zeros compress ~1000:1
  CHECK(result.response.body.empty());
  CHECK(peak_rss_kib() - rss_before < 64 * 1024);
}

TEST_CASE("a huge feed passes the default cap only when the cap is raised", "[fetch][limits]") {
  LoopbackHttpServer server;
  std::string url = server.url("/huge");  // 40 MiB
  FetchResult capped = fetch_one(url);
  REQUIRE_FALSE(capped.ok());
  CHECK(capped.error->kind == FetchErrorKind::too_large);
  CHECK(capped.response.decoded_bytes <= FetchOptions{}.max_body_bytes + CURL_MAX_WRITE_SIZE);

  FetchOptions options = short_fetch_options();
  options.max_body_bytes = 64 << 20;
  FetchResult whole = fetch_one(url, options);
  REQUIRE(whole.ok());
  CHECK(whole.response.body.size() == 40u << 20);
  CHECK(whole.response.body.ends_with("</channel></rss>\n"));
}

TEST_CASE("a full-speed endless body ends at the cap", "[fetch][limits]") {
  LoopbackHttpServer server;
  FetchOptions options = short_fetch_options();
  options.max_body_bytes = 4 << 20;
  FetchResult result = fetch_one(server.url("/endless"), options);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error->kind == FetchErrorKind::too_large);
}

// The slow cases run together, beside normal feeds, in one fetcher on one thread: their limits are
// short, and the normal feeds must not wait for them.
TEST_CASE("slow servers end by their limits while other feeds finish normally", "[fetch][limits]") {
  LoopbackHttpServer server;
  FetchOptions options = short_fetch_options();
  options.max_transfers_per_host = 16;
  options.low_speed_time = std::chrono::seconds(1);
  options.total_timeout = std::chrono::milliseconds(3'000);
  HttpFetcher fetcher(options);

  std::map<std::string, FetchErrorKind> slow = {
      {server.url("/drip?interval=2"), FetchErrorKind::too_slow},   // 1 byte every 2 s
      {server.url("/hang"), FetchErrorKind::too_slow},              // accepts, never answers
      {server.url("/endless?rate=8192"), FetchErrorKind::timeout},  // fast enough, never ends
  };
  for (auto& [url, kind] : slow) fetcher.submit(FetchRequest{url, url, "", ""});
  for (int i = 0; i < 5; ++i) {
    std::string url = server.url("/feed?n=" + std::to_string(i));
    fetcher.submit(FetchRequest{url, url, "", ""});
  }

  std::vector<FetchResult> results = run_until(fetcher, 8);
  REQUIRE(results.size() == 8);
  for (std::size_t i = 0; i < 5; ++i) {
    INFO(results[i].feed_url);
    CHECK(results[i].ok());
    CHECK(results[i].feed_url.find("/feed?n=") != std::string::npos);
  }
  for (std::size_t i = 5; i < 8; ++i) {
    const FetchResult& result = results[i];
    INFO(result.feed_url << ": " << (result.error ? result.error->message : "ok"));
    REQUIRE(slow.count(result.feed_url) == 1);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error->kind == slow[result.feed_url]);
    CHECK(result.error->message.starts_with("GET " + result.feed_url + ": "));
  }
  CHECK(fetcher.in_flight() == 0);
}

TEST_CASE("a server that never answers ends by the total timeout when low speed allows it",
          "[fetch][limits]") {
  LoopbackHttpServer server;
  FetchOptions options = short_fetch_options();
  options.low_speed_time = std::chrono::seconds(30);
  options.total_timeout = std::chrono::milliseconds(1'000);
  FetchResult result = fetch_one(server.url("/hang"), options);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error->kind == FetchErrorKind::timeout);
  CHECK(result.error->message.find("timed out after 1000 ms") != std::string::npos);
}
