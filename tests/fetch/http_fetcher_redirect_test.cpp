// Redirects: permanent ones move the feed, temporary ones do not, loops and foreign schemes fail.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "fetch_helpers.hpp"
#include "http_server.hpp"

using namespace newswatch;
using namespace newswatch::testing;

TEST_CASE("301 and 308 report the permanent URL", "[fetch][redirect]") {
  LoopbackHttpServer server;
  HttpFetcher fetcher(short_fetch_options());
  for (const char* code : {"301", "308"}) {
    INFO(code);
    std::string start = server.url(std::string("/redirect/") + code + "?to=/feed");
    FetchResult result = fetch_one(fetcher, start);
    REQUIRE(result.ok());
    CHECK(result.feed_url == start);
    CHECK(result.response.status == 200);
    CHECK(result.response.body.find("<rss") != std::string::npos);
    CHECK(result.response.permanent_url == server.url("/feed"));
    CHECK(result.response.effective_url == server.url("/feed"));
    CHECK(result.response.redirects == 1);
    CHECK(result.response.etag == "\"v1\"");  // the final response's headers, not the redirect's
  }
}

TEST_CASE("302, 303 and 307 are followed but do not move the feed", "[fetch][redirect]") {
  LoopbackHttpServer server;
  HttpFetcher fetcher(short_fetch_options());
  for (const char* code : {"302", "303", "307"}) {
    INFO(code);
    FetchResult result = fetch_one(fetcher, server.url(std::string("/redirect/") + code + "?to=/feed"));
    REQUIRE(result.ok());
    CHECK(result.response.permanent_url.empty());
    CHECK(result.response.effective_url == server.url("/feed"));
  }
}

TEST_CASE("a permanent run ends at the first temporary hop", "[fetch][redirect]") {
  LoopbackHttpServer server;
  HttpFetcher fetcher(short_fetch_options());
  SECTION("301 then 302: the feed moved to the 302's URL") {
    std::string middle = server.url("/redirect/302?to=/feed");
    FetchResult result = fetch_one(fetcher, server.url("/redirect/301?to=/redirect/302%3Fto%3D/feed"));
    REQUIRE(result.ok());
    CHECK(result.response.permanent_url == middle);
    CHECK(result.response.redirects == 2);
  }
  SECTION("302 then 301: the feed stays") {
    FetchResult result = fetch_one(fetcher, server.url("/redirect/302?to=/redirect/301%3Fto%3D/feed"));
    REQUIRE(result.ok());
    CHECK(result.response.permanent_url.empty());
  }
}

TEST_CASE("an absolute Location on the same server is followed", "[fetch][redirect]") {
  LoopbackHttpServer server;
  FetchResult result = fetch_one(server.url("/redirect/301?to=" + server.url("/gzip")));
  REQUIRE(result.ok());
  CHECK(result.response.permanent_url == server.url("/gzip"));
  CHECK(result.response.body.find("<rss") != std::string::npos);
}

TEST_CASE("at most max_redirects hops", "[fetch][redirect]") {
  LoopbackHttpServer server;
  HttpFetcher fetcher(short_fetch_options());
  FetchResult five = fetch_one(fetcher, server.url("/chain/5"));
  REQUIRE(five.ok());
  CHECK(five.response.redirects == 5);

  FetchResult six = fetch_one(fetcher, server.url("/chain/6"));
  REQUIRE_FALSE(six.ok());
  CHECK(six.error->kind == FetchErrorKind::redirect);
  CHECK(six.error->message.find("more than 5 redirects") != std::string::npos);
  CHECK(six.error->message.find("[feed " + server.url("/chain/6") + "]") != std::string::npos);
}

TEST_CASE("a redirect loop is a redirect error", "[fetch][redirect]") {
  LoopbackHttpServer server;
  FetchResult result = fetch_one(server.url("/loop/a"));
  REQUIRE_FALSE(result.ok());
  CHECK(result.error->kind == FetchErrorKind::redirect);
  CHECK(result.error->message.find("redirect loop") != std::string::npos);
  CHECK(result.response.redirects == 1);
}

TEST_CASE("a 3xx without Location is a redirect error", "[fetch][redirect]") {
  LoopbackHttpServer server;
  FetchResult result = fetch_one(server.url("/redirect/301?to="));
  REQUIRE_FALSE(result.ok());
  CHECK(result.error->kind == FetchErrorKind::redirect);
  CHECK(result.response.status == 301);
}

TEST_CASE("file:// is refused as a redirect target but works when configured", "[fetch][redirect]") {
  auto path =
      std::filesystem::temp_directory_path() / ("newswatch-fetch-" + std::to_string(getpid()) + ".xml");
  std::ofstream(path) << "<rss version=\"2.0\"><channel><title>offline</title></channel></rss>";
  LoopbackHttpServer server;
  HttpFetcher fetcher(short_fetch_options());

  FetchResult redirected = fetch_one(fetcher, server.url("/redirect/302?to=file://" + path.string()));
  REQUIRE_FALSE(redirected.ok());
  CHECK(redirected.error->kind == FetchErrorKind::redirect);
  CHECK(redirected.error->message.find("only http and https") != std::string::npos);
  CHECK(redirected.response.body.empty());

  FetchResult configured = fetch_one(fetcher, "file://" + path.string());
  REQUIRE(configured.ok());
  CHECK(configured.response.body == "<rss version=\"2.0\"><channel><title>offline</title></channel></rss>");

  FetchResult missing = fetch_one(fetcher, "file://" + path.string() + ".missing");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error->kind == FetchErrorKind::other);
  std::filesystem::remove(path);
}
