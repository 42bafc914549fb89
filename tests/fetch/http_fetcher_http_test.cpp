// HttpFetcher against a real loopback server: success, validators, encodings, statuses, failures.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "fetch_helpers.hpp"
#include "http_server.hpp"

using namespace newswatch;
using namespace newswatch::testing;

namespace {

nlohmann::json last_request_to(const LoopbackHttpServer& server, const std::string& path) {
  auto log = nlohmann::json::parse(server.requests_json());
  nlohmann::json found;
  for (auto& request : log["requests"])
    if (request["path"] == path) found = request;
  return found;
}

// A port nobody listens on: bind, read the port, close.
int closed_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

}  // namespace

TEST_CASE("a 200 returns the body and the response headers", "[fetch][http]") {
  LoopbackHttpServer server;
  FetchResult result = fetch_one(server.url("/feed"));
  REQUIRE(result.ok());
  CHECK(result.feed_url == server.url("/feed"));
  CHECK(result.response.status == 200);
  CHECK(result.response.body.starts_with("<?xml"));
  CHECK(result.response.body.find("<title>Hello</title>") != std::string::npos);
  CHECK(result.response.content_type == "application/rss+xml; charset=utf-8");
  CHECK(result.response.etag == "\"v1\"");
  CHECK(result.response.last_modified == "Sat, 01 Nov 2025 10:00:00 GMT");
  CHECK(result.response.cache_control == "max-age=300");
  CHECK(result.response.date.ends_with("GMT"));
  CHECK(result.response.effective_url == server.url("/feed"));
  CHECK(result.response.permanent_url.empty());
  CHECK(result.response.decoded_bytes == result.response.body.size());
  CHECK(result.response.wire_bytes > result.response.body.size());
  CHECK(result.response.timings.total.count() > 0);
}

TEST_CASE("the default User-Agent names the project and Accept-Encoding offers gzip", "[fetch][http]") {
  LoopbackHttpServer server;
  REQUIRE(fetch_one(server.url("/feed")).ok());
  auto headers = last_request_to(server, "/feed")["headers"];
  CHECK(headers["User-Agent"] == "newswatch/" NEWSWATCH_VERSION " (+" NEWSWATCH_PROJECT_URL ")");
  std::string accept_encoding = headers["Accept-Encoding"];
  CHECK(accept_encoding.find("gzip") != std::string::npos);
  CHECK(std::string(headers["Accept"]).starts_with("application/rss+xml"));
  CHECK(HttpFetcher::supported_encodings().find("gzip") != std::string::npos);
}

TEST_CASE("a configured User-Agent replaces the default", "[fetch][http]") {
  LoopbackHttpServer server;
  FetchOptions options = short_fetch_options();
  options.user_agent = "custom-agent/9";
  REQUIRE(fetch_one(server.url("/feed"), options).ok());
  CHECK(last_request_to(server, "/feed")["headers"]["User-Agent"] == "custom-agent/9");
}

TEST_CASE("validators round-trip and a 304 has no body", "[fetch][http]") {
  LoopbackHttpServer server;
  HttpFetcher fetcher(short_fetch_options());
  FetchResult first = fetch_one(fetcher, server.url("/feed"));
  REQUIRE(first.ok());
  REQUIRE(first.response.status == 200);
  CHECK(last_request_to(server, "/feed")["headers"].count("If-None-Match") == 0);

  SECTION("ETag goes back as If-None-Match") {
    FetchResult second = fetch_one(fetcher, server.url("/feed"), first.response.etag, "");
    REQUIRE(second.ok());
    CHECK(second.not_modified());
    CHECK(second.response.status == 304);
    CHECK(second.response.body.empty());
    CHECK(second.response.decoded_bytes == 0);
    CHECK(second.response.etag == "\"v1\"");
    CHECK(last_request_to(server, "/feed")["headers"]["If-None-Match"] == "\"v1\"");
  }
  SECTION("Last-Modified goes back as If-Modified-Since") {
    FetchResult second = fetch_one(fetcher, server.url("/feed"), "", first.response.last_modified);
    CHECK(second.not_modified());
    CHECK(last_request_to(server, "/feed")["headers"]["If-Modified-Since"] == first.response.last_modified);
  }
  SECTION("a changed ETag gets the full body") {
    FetchResult second = fetch_one(fetcher, server.url("/feed"), "\"v0\"", "");
    REQUIRE(second.ok());
    CHECK(second.response.status == 200);
    CHECK_FALSE(second.response.body.empty());
  }
  SECTION("a validator with a line break is not sent") {
    FetchResult second = fetch_one(fetcher, server.url("/feed"), "\"v1\"\r\nX-Injected: 1", "");
    CHECK(second.response.status == 200);
    CHECK(last_request_to(server, "/feed")["headers"].count("X-Injected") == 0);
  }
}

TEST_CASE("gzip and deflate bodies are decoded", "[fetch][http]") {
  LoopbackHttpServer server;
  HttpFetcher fetcher(short_fetch_options());
  FetchResult plain = fetch_one(fetcher, server.url("/feed"));
  for (const char* path : {"/gzip", "/deflate"}) {
    INFO(path);
    FetchResult result = fetch_one(fetcher, server.url(path));
    REQUIRE(result.ok());
    CHECK(result.response.body == plain.response.body);
    CHECK(result.response.decoded_bytes == plain.response.body.size());
  }
}

TEST_CASE("a body that is not what its Content-Encoding says is a protocol error", "[fetch][http]") {
  LoopbackHttpServer server;
  FetchResult result = fetch_one(server.url("/bad-gzip"));
  REQUIRE_FALSE(result.ok());
  CHECK(result.error->kind == FetchErrorKind::protocol);
  CHECK(result.error->message.find(server.url("/bad-gzip")) != std::string::npos);
}

TEST_CASE("an empty body and an HTML page are successes: judging them is the parser's job", "[fetch][http]") {
  LoopbackHttpServer server;
  HttpFetcher fetcher(short_fetch_options());
  FetchResult empty = fetch_one(fetcher, server.url("/empty"));
  REQUIRE(empty.ok());
  CHECK(empty.response.status == 200);
  CHECK(empty.response.body.empty());
  FetchResult html = fetch_one(fetcher, server.url("/html"));
  REQUIRE(html.ok());
  CHECK(html.response.content_type == "text/html; charset=utf-8");
  CHECK(html.response.body.starts_with("<!DOCTYPE html>"));
}

TEST_CASE("4xx and 5xx are http_status errors with the status and no body", "[fetch][http]") {
  LoopbackHttpServer server;
  HttpFetcher fetcher(short_fetch_options());
  for (long status : {404L, 410L, 500L}) {
    std::string url = server.url("/status/" + std::to_string(status));
    FetchResult result = fetch_one(fetcher, url);
    INFO(url);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error->kind == FetchErrorKind::http_status);
    CHECK(result.response.status == status);
    CHECK(result.response.body.empty());
    CHECK(result.error->message.starts_with("GET " + url + ": HTTP " + std::to_string(status)));
  }
  FetchResult gone = fetch_one(fetcher, server.url("/status/410"));
  CHECK(gone.error->message == "GET " + server.url("/status/410") + ": HTTP 410 Gone");
}

TEST_CASE("429 and 503 hand back Retry-After as sent", "[fetch][http]") {
  LoopbackHttpServer server;
  HttpFetcher fetcher(short_fetch_options());
  FetchResult seconds = fetch_one(fetcher, server.url("/status/429?retry_after=120"));
  CHECK(seconds.error->kind == FetchErrorKind::http_status);
  CHECK(seconds.response.status == 429);
  CHECK(seconds.response.retry_after == "120");

  FetchResult date =
      fetch_one(fetcher, server.url("/status/503?retry_after=Wed,%2021%20Oct%202026%2007:28:00%20GMT"));
  CHECK(date.response.status == 503);
  CHECK(date.response.retry_after == "Wed, 21 Oct 2026 07:28:00 GMT");

  FetchResult none = fetch_one(fetcher, server.url("/status/503"));
  CHECK(none.response.status == 503);
  CHECK(none.response.retry_after.empty());
}

TEST_CASE("network failures are typed", "[fetch][http]") {
  SECTION("connection refused") {
    std::string url = "http://127.0.0.1:" + std::to_string(closed_port()) + "/feed";
    FetchResult result = fetch_one(url);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error->kind == FetchErrorKind::connect);
    CHECK(result.error->message.starts_with("GET " + url + ": could not connect"));
    CHECK(result.response.status == 0);
  }
  SECTION("a name that cannot resolve (.invalid is reserved by RFC 2606)") {
    FetchResult result = fetch_one("http://no-such-host.invalid/feed");
    REQUIRE_FALSE(result.ok());
    CHECK(result.error->kind == FetchErrorKind::dns);
    CHECK(result.error->message.find("no-such-host.invalid") != std::string::npos);
  }
  SECTION("TLS to a server that speaks plain HTTP") {
    LoopbackHttpServer server;
    std::string url = "https://127.0.0.1:" + std::to_string(server.port()) + "/feed";
    FetchResult result = fetch_one(url);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error->kind == FetchErrorKind::tls);
  }
  SECTION("schemes other than http and https are refused before any I/O") {
    for (const char* url : {"ftp://127.0.0.1/feed", "gopher://127.0.0.1/", "file:///etc/hostname"}) {
      INFO(url);
      HttpFetcher fetcher(short_fetch_options());
      fetcher.submit(FetchRequest{"http://127.0.0.1/feed", url, "", ""});
      CHECK(fetcher.queued() == 0);
      FetchResult result = std::move(run_until(fetcher, 1).front());
      REQUIRE_FALSE(result.ok());
      CHECK(result.error->kind == FetchErrorKind::protocol);
      CHECK(result.feed_url == "http://127.0.0.1/feed");
    }
  }
  SECTION("a malformed URL") {
    FetchResult result = fetch_one("http://[::1/feed");
    REQUIRE_FALSE(result.ok());
    CHECK(result.error->kind == FetchErrorKind::protocol);
    CHECK(result.error->message == "GET http://[::1/feed: malformed URL");
  }
}

TEST_CASE("TLS verifies the peer, and a configured CA file makes a private CA trusted",
          "[fetch][http][tls]") {
  auto folder = std::filesystem::temp_directory_path() / ("newswatch-fetch-tls-" + std::to_string(getpid()));
  std::filesystem::create_directories(folder);
  std::string cert = (folder / "cert.pem").string(), key = (folder / "key.pem").string();
  std::string make_cert =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 "
      "-addext subjectAltName=IP:127.0.0.1 -keyout " +
      key + " -out " + cert + " >/dev/null 2>&1";
  REQUIRE(std::system(make_cert.c_str()) == 0);
  {
    LoopbackHttpServer server({"--tls-cert", cert, "--tls-key", key});
    std::string url = "https://127.0.0.1:" + std::to_string(server.port()) + "/feed";

    FetchOptions options = short_fetch_options();
    FetchResult untrusted = fetch_one(url, options);
    REQUIRE_FALSE(untrusted.ok());
    CHECK(untrusted.error->kind == FetchErrorKind::tls);
    CHECK(untrusted.error->message.find("TLS failed") != std::string::npos);

    options.ca_file = cert;
    FetchResult trusted = fetch_one(url, options);
    INFO((trusted.error ? trusted.error->message : ""));
    REQUIRE(trusted.ok());
    CHECK(trusted.response.status == 200);
    CHECK(trusted.response.timings.tls_handshake.count() > 0);
  }
  std::filesystem::remove_all(folder);
}
