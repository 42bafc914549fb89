#pragma once
// HttpFetcher: every feed's HTTP GET driven by one libcurl multi handle on one thread.
//
// What it promises:
// - submit() never blocks and never fails: every submitted request ends in exactly one FetchResult,
//   returned by a later run() (or by cancel_all()).
// - At most `max_total_transfers` transfers run at once, and at most `max_transfers_per_host` per host
//   (host = lowercase host:port of the URL first polled). Requests beyond the limits wait in a FIFO
//   queue that costs one FetchRequest each; easy handles are pooled, so 10,000 idle feeds cost nothing
//   here and memory grows only with the transfers in flight (each bounded by max_body_bytes).
// - Redirects are followed by the fetcher itself (not by libcurl) so that it can tell permanent from
//   temporary hops, detect loops and refuse any scheme but http/https.
// - It owns HTTP only: it never parses bodies, never decides when to poll, never logs. Error messages
//   name the URL and the cause and are meant to be logged as they are.
//
// Threads: all members are called from one thread (the daemon's loop), except wakeup(), which any thread
// may call at any time.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace newswatch {

struct FetchOptions {
  std::size_t max_total_transfers = 32;
  std::size_t max_transfers_per_host = 2;
  std::chrono::milliseconds connect_timeout{10'000};
  // The whole transfer, redirects included.
  std::chrono::milliseconds total_timeout{30'000};
  // Abort when fewer than low_speed_bytes_per_second arrive for low_speed_time (a server that drips).
  long low_speed_bytes_per_second = 1024;
  std::chrono::seconds low_speed_time{15};
  // Cap on the DECODED body: a gzip bomb is cut off here, not after it filled memory.
  std::size_t max_body_bytes = 16 * 1024 * 1024;
  int max_redirects = 5;
  std::string user_agent = "newswatch/" NEWSWATCH_VERSION " (+" NEWSWATCH_PROJECT_URL ")";
  // PEM bundle used instead of the system's CAs when not empty. Verification is always on.
  std::string ca_file;
  // libcurl reads http_proxy/https_proxy/no_proxy from the environment by default; false ignores them.
  bool use_environment_proxy = true;
};

struct FetchRequest {
  std::string feed_url;       // the feed's identity (the configured URL); handed back untouched
  std::string url;            // what to GET now: the feed URL or the permanent URL it moved to
  std::string etag;           // sent as If-None-Match when not empty
  std::string last_modified;  // sent as If-Modified-Since when not empty
};

enum class FetchErrorKind {
  dns,          // the host name did not resolve
  connect,      // TCP connect refused, unreachable or timed out
  tls,          // handshake failed or the certificate did not verify
  timeout,      // the whole transfer took longer than total_timeout
  too_slow,     // below low_speed_bytes_per_second for low_speed_time
  too_large,    // the decoded body passed max_body_bytes
  http_status,  // 4xx, 5xx or an unfollowable 3xx; FetchResponse::status says which
  redirect,     // loop, too many, a forbidden scheme or a redirect without Location
  protocol,     // malformed response, bad content encoding, unsupported scheme, bad URL
  other,        // anything else (e.g. an unreadable file:// path, out of memory)
  cancelled,    // cancel_all() ended it
};

std::string_view to_string(FetchErrorKind kind);

struct FetchError {
  FetchErrorKind kind = FetchErrorKind::other;
  std::string message;  // "GET <url>: <cause>", ready to log
};

struct FetchTimings {
  std::chrono::microseconds queued{0};  // submit() until the first byte was asked for
  // Of the last hop, as libcurl measures them from that hop's start.
  std::chrono::microseconds name_lookup{0};
  std::chrono::microseconds connect{0};
  std::chrono::microseconds tls_handshake{0};
  std::chrono::microseconds first_byte{0};
  std::chrono::microseconds total{0};  // all hops, from dispatch to the end
};

struct FetchResponse {
  long status = 0;  // of the last response received; 0 when none was
  // Raw header values of the last response; empty when absent. Repeated headers are joined by ", ".
  std::string content_type, etag, last_modified, cache_control, expires, date, retry_after;
  std::string effective_url;  // the URL the last response came from
  // Set when the chain began with permanent redirects (301/308): the last URL they pointed to, which
  // the feed should be polled at next time. A temporary redirect (302/303/307) ends the permanent run.
  std::string permanent_url;
  int redirects = 0;
  std::string body;                 // decoded; only for 2xx (empty for 304, errors and cut-off transfers)
  std::uint64_t wire_bytes = 0;     // headers + encoded body bytes received, all hops
  std::uint64_t decoded_bytes = 0;  // decoded body bytes libcurl handed over on the last hop
  FetchTimings timings;
};

struct FetchResult {
  std::string feed_url;
  std::string requested_url;  // FetchRequest::url
  FetchResponse response;     // filled as far as the transfer got, also on error (e.g. Retry-After)
  std::optional<FetchError> error;

  bool ok() const { return !error.has_value(); }
  bool not_modified() const { return ok() && response.status == 304; }
};

class HttpFetcher {
 public:
  explicit HttpFetcher(FetchOptions options = {});
  ~HttpFetcher();
  HttpFetcher(const HttpFetcher&) = delete;
  HttpFetcher& operator=(const HttpFetcher&) = delete;

  // Queues a request; it starts on the next run() that has a free slot for its host.
  void submit(FetchRequest request);

  // Starts what the limits allow, drives transfers and returns those that finished. Waits at most
  // max_wait for one to finish (0: do not wait); returns earlier, maybe with nothing, after wakeup().
  std::vector<FetchResult> run(std::chrono::milliseconds max_wait);

  // Makes a run() that is waiting return soon. Thread-safe.
  void wakeup();

  std::size_t in_flight() const;
  std::size_t queued() const;

  // Ends every queued and running transfer; each yields a result of kind `cancelled`.
  std::vector<FetchResult> cancel_all();

  // What this libcurl decodes for Accept-Encoding, e.g. "gzip, deflate, br, zstd".
  static std::string supported_encodings();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace newswatch
