#include "fetch/http_fetcher.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <climits>
#include <mutex>
#include <unordered_map>
#include <utility>

#include "fetch/detail/host_queue.hpp"

// Why the fetcher queues requests itself instead of using CURLMOPT_MAX_TOTAL_CONNECTIONS and
// CURLMOPT_MAX_HOST_CONNECTIONS (measured with Debian 12's libcurl 7.88.1):
// - Those limits hold back transfers already added to the multi handle, in its PENDING state. Each one
//   is a live easy handle: 10,000 bare easy handles measured +54 MiB RSS with 7.88, before any buffers
//   a started transfer allocates.
// - A pending transfer's CURLOPT_TIMEOUT clock has already started (measured: with
//   MAX_HOST_CONNECTIONS=1, two 800 ms requests with a 1200 ms timeout, the second fails "Timeout was
//   reached"), so a feed stuck behind slow ones times out without sending a byte.
// - They count connections, not transfers: with HTTP/2 multiplexing one connection carries many
//   streams, so "2 per host" would not bound the requests a host receives.
// Our queue holds a FetchRequest per waiting feed, takes an easy handle from a pool of at most
// max_total_transfers, and starts each transfer's clocks when it really starts.

namespace newswatch {

std::string_view to_string(FetchErrorKind kind) {
  switch (kind) {
    case FetchErrorKind::dns:
      return "dns";
    case FetchErrorKind::connect:
      return "connect";
    case FetchErrorKind::tls:
      return "tls";
    case FetchErrorKind::timeout:
      return "timeout";
    case FetchErrorKind::too_slow:
      return "too_slow";
    case FetchErrorKind::too_large:
      return "too_large";
    case FetchErrorKind::http_status:
      return "http_status";
    case FetchErrorKind::redirect:
      return "redirect";
    case FetchErrorKind::protocol:
      return "protocol";
    case FetchErrorKind::other:
      return "other";
    case FetchErrorKind::cancelled:
      return "cancelled";
  }
  return "other";
}

namespace {

// Every header field the fetcher records; a redirect or a new attempt starts from none of them.
void clear_headers(FetchResponse& response) {
  response.content_type.clear();
  response.etag.clear();
  response.last_modified.clear();
  response.cache_control.clear();
  response.expires.clear();
  response.date.clear();
  response.retry_after.clear();
}

using Clock = std::chrono::steady_clock;

// Feed formats first, anything else accepted: some servers answer */* with an HTML page.
constexpr const char* kAcceptHeader =
    "Accept: application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.9, "
    "text/xml;q=0.9, */*;q=0.8";

void ensure_curl_global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(),
                    [](unsigned char x, unsigned char y) { return std::tolower(x) == std::tolower(y); });
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() &&
         (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' || text.back() == '\n'))
    text.remove_suffix(1);
  return text;
}

struct UrlParts {
  std::string scheme;  // lowercase
  std::string host_key;
};

// Parses with libcurl's own URL parser so that we judge a URL exactly as libcurl will fetch it.
std::optional<UrlParts> parse_url(const std::string& url) {
  CURLU* handle = curl_url();
  if (handle == nullptr) return std::nullopt;
  std::optional<UrlParts> parts;
  if (curl_url_set(handle, CURLUPART_URL, url.c_str(), CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK) {
    char* scheme = nullptr;
    char* host = nullptr;
    char* port = nullptr;
    if (curl_url_get(handle, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK) {
      parts = UrlParts{lowercase(scheme), {}};
      curl_url_get(handle, CURLUPART_HOST, &host, 0);
      curl_url_get(handle, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT);
      parts->host_key = lowercase(host ? host : "") + ":" + (port ? port : "");
    }
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
  }
  curl_url_cleanup(handle);
  return parts;
}

bool is_http(const std::string& scheme) { return scheme == "http" || scheme == "https"; }

// Header values go into the request verbatim; a CR or LF would let a stored validator inject headers.
bool safe_header_value(const std::string& value) {
  return !value.empty() && value.find_first_of("\r\n") == std::string::npos;
}

std::chrono::microseconds info_time(CURL* easy, CURLINFO what) {
  curl_off_t micros = 0;
  curl_easy_getinfo(easy, what, &micros);
  return std::chrono::microseconds(micros);
}

bool is_redirect_status(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

}  // namespace

struct HttpFetcher::Impl {
  struct Queued {
    FetchRequest request;
    std::string host_key;
    bool allow_file = false;
    Clock::time_point submitted;
  };

  // One transfer from dispatch to result, across its redirect hops.
  struct Transfer {
    Queued queued;
    CURL* easy = nullptr;
    curl_slist* request_headers = nullptr;
    char error_buffer[CURL_ERROR_SIZE] = {};
    std::size_t max_body_bytes = 0;

    Clock::time_point started;
    std::string hop_url;
    std::chrono::milliseconds hop_timeout{0};
    std::vector<std::string> visited;  // every URL of the chain, to tell a loop from a long chain
    bool chain_still_permanent = true;
    bool body_over_cap = false;

    FetchResponse response;
    std::string reason_phrase;
  };

  explicit Impl(FetchOptions opts) : options(std::move(opts)), queue(options.max_transfers_per_host) {
    ensure_curl_global_init();
    if (options.max_total_transfers == 0) options.max_total_transfers = 1;
    multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
    // Idle connections kept for reuse: enough for one poll round's hosts, not one per feed.
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, static_cast<long>(options.max_total_transfers));
  }

  ~Impl() {
    for (auto& [raw, transfer] : active) {
      curl_multi_remove_handle(multi, transfer->easy);
      curl_easy_cleanup(transfer->easy);
      curl_slist_free_all(transfer->request_headers);
    }
    for (CURL* easy : idle_handles) curl_easy_cleanup(easy);
    curl_multi_cleanup(multi);
  }

  void submit(FetchRequest request) {
    if (request.feed_url.empty()) request.feed_url = request.url;
    auto parts = parse_url(request.url);
    if (!parts) return finish_unstarted(std::move(request), FetchErrorKind::protocol, "malformed URL");
    // file:// is for an offline demo: allowed only when the configured feed itself is a file.
    auto feed_parts = parse_url(request.feed_url);
    bool allow_file = parts->scheme == "file" && feed_parts && feed_parts->scheme == "file";
    if (!is_http(parts->scheme) && !allow_file)
      return finish_unstarted(std::move(request), FetchErrorKind::protocol,
                              "unsupported scheme \"" + parts->scheme + "\" (only http, https)");
    std::string host_key = parts->scheme == "file" ? "file:" : parts->host_key;
    queue.push(host_key, Queued{std::move(request), host_key, allow_file, Clock::now()});
  }

  std::vector<FetchResult> run(std::chrono::milliseconds max_wait) {
    const Clock::time_point deadline = Clock::now() + std::max(max_wait, std::chrono::milliseconds(0));
    for (;;) {
      dispatch();
      drive();
      if (!finished.empty() || woken.exchange(false)) break;
      // Rounded up, so that less than a millisecond left is a short sleep, not a busy turn.
      auto remaining = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
      if (remaining.count() <= 0) break;
      curl_multi_poll(multi, nullptr, 0, static_cast<int>(std::min<long long>(remaining.count(), INT_MAX)),
                      nullptr);
    }
    // Slots freed by what just finished start their next transfers now, not on the next call.
    if (dispatch() > 0) drive();
    return std::exchange(finished, {});
  }

  std::vector<FetchResult> cancel_all() {
    while (!active.empty()) {
      Transfer& transfer = *active.begin()->second;
      curl_multi_remove_handle(multi, transfer.easy);
      fail(transfer, FetchErrorKind::cancelled, "cancelled before it finished");
    }
    for (Queued& waiting : queue.drain()) {
      FetchRequest request = std::move(waiting.request);
      finish_unstarted(std::move(request), FetchErrorKind::cancelled, "cancelled before it started");
    }
    return std::exchange(finished, {});
  }

  // Starts queued requests while total and per-host slots allow; returns how many started.
  std::size_t dispatch() {
    std::size_t started = 0;
    while (active.size() < options.max_total_transfers) {
      std::optional<Queued> next = queue.pop_ready();
      if (!next) break;
      auto transfer = std::make_unique<Transfer>();
      transfer->queued = std::move(*next);
      transfer->easy = acquire_handle();
      transfer->max_body_bytes = options.max_body_bytes;
      transfer->started = Clock::now();
      transfer->response.timings.queued = std::chrono::duration_cast<std::chrono::microseconds>(
          transfer->started - transfer->queued.submitted);
      transfer->request_headers = build_request_headers(transfer->queued.request);
      Transfer& raw = *transfer;
      active.emplace(&raw, std::move(transfer));
      raw.visited.push_back(raw.queued.request.url);
      start_hop(raw, raw.queued.request.url);
      ++started;
    }
    return started;
  }

  void drive() {
    int running = 0;
    curl_multi_perform(multi, &running);
    int left = 0;
    while (CURLMsg* message = curl_multi_info_read(multi, &left)) {
      if (message->msg != CURLMSG_DONE) continue;
      // The message dies with remove_handle: copy what we need first.
      CURL* easy = message->easy_handle;
      CURLcode code = message->data.result;
      Transfer* transfer = nullptr;
      curl_easy_getinfo(easy, CURLINFO_PRIVATE, &transfer);
      curl_multi_remove_handle(multi, easy);
      on_hop_done(*transfer, code);
    }
  }

  void start_hop(Transfer& transfer, const std::string& url) {
    transfer.hop_url = url;
    auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - transfer.started);
    transfer.hop_timeout = options.total_timeout - elapsed;
    if (transfer.hop_timeout.count() <= 0)
      return fail(
          transfer, FetchErrorKind::timeout,
          "timed out after " + std::to_string(options.total_timeout.count()) + " ms (redirects included)");
    transfer.error_buffer[0] = '\0';
    transfer.body_over_cap = false;
    transfer.reason_phrase.clear();
    FetchResponse& response = transfer.response;
    response.status = 0;
    response.body.clear();
    response.decoded_bytes = 0;
    clear_headers(response);

    CURL* easy = transfer.easy;
    curl_easy_reset(easy);
    curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
    curl_easy_setopt(easy, CURLOPT_PRIVATE, &transfer);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, transfer.error_buffer);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Impl::on_body);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &Impl::on_header);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, &transfer);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, transfer.request_headers);
    curl_easy_setopt(easy, CURLOPT_USERAGENT, options.user_agent.c_str());
    // "" offers every encoding this libcurl decodes (gzip, deflate, br, zstd on Debian 12).
    curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
    // Over https, ALPN tells within the handshake whether the host multiplexes: waiting for that
    // saves a second connection. Over plain http libcurl learns it only from the first response, so
    // PIPEWAIT would park every transfer to the host behind one that hangs (seen with 7.88).
    if (lowercase(std::string_view(url).substr(0, 6)) == "https:")
      curl_easy_setopt(easy, CURLOPT_PIPEWAIT, 1L);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout.count()));
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(transfer.hop_timeout.count()));
    curl_easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, options.low_speed_bytes_per_second);
    curl_easy_setopt(easy, CURLOPT_LOW_SPEED_TIME, static_cast<long>(options.low_speed_time.count()));
    // We follow redirects ourselves (on_hop_done) to see each hop's status; libcurl must not.
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
    const char* protocols = transfer.queued.allow_file ? "file" : "http,https";
#if LIBCURL_VERSION_NUM >= 0x075500  // 7.85 brought the string forms and deprecated the bitmasks
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, protocols);
    curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS,
                     transfer.queued.allow_file ? CURLPROTO_FILE : (CURLPROTO_HTTP | CURLPROTO_HTTPS));
    curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS, CURLPROTO_HTTP | CURLPROTO_HTTPS);
#endif
    (void)protocols;
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!options.ca_file.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, options.ca_file.c_str());
    if (!options.use_environment_proxy) curl_easy_setopt(easy, CURLOPT_PROXY, "");

    CURLMcode added = curl_multi_add_handle(multi, easy);
    if (added != CURLM_OK)
      fail(transfer, FetchErrorKind::other, std::string("could not start: ") + curl_multi_strerror(added));
  }

  void on_hop_done(Transfer& transfer, CURLcode code) {
    CURL* easy = transfer.easy;
    FetchResponse& response = transfer.response;
    long header_bytes = 0;
    curl_off_t body_bytes = 0;  // as received, before decoding
    curl_easy_getinfo(easy, CURLINFO_HEADER_SIZE, &header_bytes);
    curl_easy_getinfo(easy, CURLINFO_SIZE_DOWNLOAD_T, &body_bytes);
    response.wire_bytes += static_cast<std::uint64_t>(header_bytes) + static_cast<std::uint64_t>(body_bytes);
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &response.status);
    char* effective = nullptr;
    curl_easy_getinfo(easy, CURLINFO_EFFECTIVE_URL, &effective);
    response.effective_url = effective ? effective : transfer.hop_url;
    response.timings.name_lookup = info_time(easy, CURLINFO_NAMELOOKUP_TIME_T);
    response.timings.connect = info_time(easy, CURLINFO_CONNECT_TIME_T);
    response.timings.tls_handshake = info_time(easy, CURLINFO_APPCONNECT_TIME_T);
    response.timings.first_byte = info_time(easy, CURLINFO_STARTTRANSFER_TIME_T);

    if (code != CURLE_OK) return fail_with_curl_code(transfer, code);

    long status = response.status;
    if (transfer.queued.allow_file || (status >= 200 && status < 300)) return succeed(transfer);
    if (status == 304) {
      response.body.clear();
      return succeed(transfer);
    }
    if (is_redirect_status(status)) return follow_redirect(transfer);
    std::string cause = "HTTP " + std::to_string(status);
    if (!transfer.reason_phrase.empty()) cause += " " + transfer.reason_phrase;
    fail(transfer, FetchErrorKind::http_status, cause);
  }

  void follow_redirect(Transfer& transfer) {
    FetchResponse& response = transfer.response;
    char* location = nullptr;
    curl_easy_getinfo(transfer.easy, CURLINFO_REDIRECT_URL, &location);
    std::string status = "HTTP " + std::to_string(response.status);
    if (location == nullptr || *location == '\0')
      return fail(transfer, FetchErrorKind::redirect, status + " without a usable Location");
    std::string target = location;
    auto parts = parse_url(target);
    if (!parts || !is_http(parts->scheme))
      return fail(transfer, FetchErrorKind::redirect,
                  status + " to " + target + ": only http and https redirects are followed");
    if (std::find(transfer.visited.begin(), transfer.visited.end(), target) != transfer.visited.end())
      return fail(transfer, FetchErrorKind::redirect, status + " to " + target + ": redirect loop");
    if (response.redirects >= options.max_redirects)
      return fail(
          transfer, FetchErrorKind::redirect,
          status + " to " + target + ": more than " + std::to_string(options.max_redirects) + " redirects");
    // Only a chain that is permanent from its first hop moves the feed; once a temporary hop appears,
    // what follows is the temporary target's business (RFC 9110 15.4).
    bool permanent = response.status == 301 || response.status == 308;
    if (transfer.chain_still_permanent && permanent)
      response.permanent_url = target;
    else
      transfer.chain_still_permanent = false;
    ++response.redirects;
    transfer.visited.push_back(target);
    start_hop(transfer, target);
  }

  void fail_with_curl_code(Transfer& transfer, CURLcode code) {
    std::string detail = transfer.error_buffer[0] ? transfer.error_buffer : curl_easy_strerror(code);
    std::string curl_says = " (curl " + std::to_string(static_cast<int>(code)) + ": " + detail + ")";
    switch (code) {
      case CURLE_COULDNT_RESOLVE_HOST:
      case CURLE_COULDNT_RESOLVE_PROXY:
        return fail(transfer, FetchErrorKind::dns, "could not resolve host" + curl_says);
      case CURLE_COULDNT_CONNECT:
        return fail(transfer, FetchErrorKind::connect, "could not connect" + curl_says);
      case CURLE_OPERATION_TIMEDOUT:
        return fail_timed_out(transfer, curl_says);
      case CURLE_SSL_CONNECT_ERROR:
      case CURLE_PEER_FAILED_VERIFICATION:
      case CURLE_SSL_CERTPROBLEM:
      case CURLE_SSL_CIPHER:
      case CURLE_SSL_CACERT_BADFILE:
      case CURLE_SSL_ISSUER_ERROR:
      case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
      case CURLE_SSL_INVALIDCERTSTATUS:
      case CURLE_SSL_CRL_BADFILE:
      case CURLE_SSL_ENGINE_NOTFOUND:
      case CURLE_SSL_ENGINE_SETFAILED:
      case CURLE_SSL_ENGINE_INITFAILED:
      case CURLE_USE_SSL_FAILED:
        return fail(transfer, FetchErrorKind::tls, "TLS failed" + curl_says);
      case CURLE_WRITE_ERROR:
        if (transfer.body_over_cap)
          return fail(
              transfer, FetchErrorKind::too_large,
              "body larger than " + std::to_string(transfer.max_body_bytes) + " bytes after decoding");
        return fail(transfer, FetchErrorKind::other, "write failed" + curl_says);
      case CURLE_TOO_MANY_REDIRECTS:
        return fail(transfer, FetchErrorKind::redirect, "too many redirects" + curl_says);
      case CURLE_UNSUPPORTED_PROTOCOL:
      case CURLE_URL_MALFORMAT:
      case CURLE_BAD_CONTENT_ENCODING:
      case CURLE_WEIRD_SERVER_REPLY:
      case CURLE_GOT_NOTHING:
      case CURLE_PARTIAL_FILE:
      case CURLE_RECV_ERROR:
      case CURLE_SEND_ERROR:
      case CURLE_HTTP2:
      case CURLE_HTTP2_STREAM:
        return fail(transfer, FetchErrorKind::protocol, "bad response" + curl_says);
      default:
        return fail(transfer, FetchErrorKind::other, "failed" + curl_says);
    }
  }

  // libcurl reports the connect timeout, the total timeout and the low-speed abort all as
  // CURLE_OPERATION_TIMEDOUT; which phase the hop reached tells them apart.
  void fail_timed_out(Transfer& transfer, const std::string& curl_says) {
    const FetchTimings& timings = transfer.response.timings;
    auto pretransfer = info_time(transfer.easy, CURLINFO_PRETRANSFER_TIME_T);
    auto hop_total = std::chrono::duration_cast<std::chrono::milliseconds>(
        info_time(transfer.easy, CURLINFO_TOTAL_TIME_T));
    bool resolving = std::string_view(transfer.error_buffer).starts_with("Resolving timed out");
    bool tls_pending = transfer.hop_url.starts_with("https:") && timings.connect.count() > 0 &&
                       timings.tls_handshake.count() == 0;
    if (resolving) return fail(transfer, FetchErrorKind::dns, "name lookup timed out" + curl_says);
    if (pretransfer.count() == 0 && tls_pending)
      return fail(transfer, FetchErrorKind::tls, "TLS handshake timed out" + curl_says);
    if (pretransfer.count() == 0)
      return fail(transfer, FetchErrorKind::connect, "connect timed out" + curl_says);
    // The low-speed check can only fire before the hop's deadline; allow for timer granularity.
    if (hop_total + std::chrono::milliseconds(20) >= transfer.hop_timeout)
      return fail(transfer, FetchErrorKind::timeout,
                  "timed out after " + std::to_string(options.total_timeout.count()) + " ms" + curl_says);
    fail(transfer, FetchErrorKind::too_slow,
         "slower than " + std::to_string(options.low_speed_bytes_per_second) + " bytes/s for " +
             std::to_string(options.low_speed_time.count()) + " s" + curl_says);
  }

  void succeed(Transfer& transfer) { finish(transfer, std::nullopt); }

  void fail(Transfer& transfer, FetchErrorKind kind, const std::string& cause) {
    std::string message = "GET " + transfer.hop_url + ": " + cause;
    if (transfer.hop_url != transfer.queued.request.feed_url)
      message += " [feed " + transfer.queued.request.feed_url + "]";
    transfer.response.body.clear();
    transfer.response.body.shrink_to_fit();
    finish(transfer, FetchError{kind, std::move(message)});
  }

  void finish(Transfer& transfer, std::optional<FetchError> error) {
    FetchResult result;
    result.feed_url = std::move(transfer.queued.request.feed_url);
    result.requested_url = std::move(transfer.queued.request.url);
    result.response = std::move(transfer.response);
    result.response.timings.total =
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - transfer.started);
    result.error = std::move(error);
    finished.push_back(std::move(result));

    curl_slist_free_all(transfer.request_headers);
    release_handle(transfer.easy);
    queue.release(transfer.queued.host_key);
    active.erase(&transfer);  // destroys transfer
  }

  void finish_unstarted(FetchRequest request, FetchErrorKind kind, const std::string& cause) {
    FetchResult result;
    result.error = FetchError{kind, "GET " + request.url + ": " + cause};
    result.feed_url = std::move(request.feed_url);
    result.requested_url = std::move(request.url);
    finished.push_back(std::move(result));
  }

  static curl_slist* build_request_headers(const FetchRequest& request) {
    curl_slist* headers = curl_slist_append(nullptr, kAcceptHeader);
    if (safe_header_value(request.etag))
      headers = curl_slist_append(headers, ("If-None-Match: " + request.etag).c_str());
    if (safe_header_value(request.last_modified))
      headers = curl_slist_append(headers, ("If-Modified-Since: " + request.last_modified).c_str());
    return headers;
  }

  static std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
    auto& transfer = *static_cast<Transfer*>(user);
    std::size_t bytes = size * count;
    FetchResponse& response = transfer.response;
    response.decoded_bytes += bytes;
    // Counted after decoding, so a small compressed bomb stops here; returning less than `bytes`
    // makes libcurl end the transfer with CURLE_WRITE_ERROR.
    if (response.decoded_bytes > transfer.max_body_bytes) {
      transfer.body_over_cap = true;
      return 0;
    }
    bool keep = transfer.queued.allow_file || (response.status >= 200 && response.status < 300);
    if (keep) response.body.append(data, bytes);
    return bytes;
  }

  static std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
    auto& transfer = *static_cast<Transfer*>(user);
    std::size_t bytes = size * count;
    std::string_view line(data, bytes);
    FetchResponse& response = transfer.response;
    if (line.starts_with("HTTP/")) {
      // A new response (after a 1xx): only the last one's headers describe the body.
      start_response_headers(transfer, line);
      return bytes;
    }
    auto colon = line.find(':');
    if (colon == std::string_view::npos) return bytes;
    std::string_view name = trim(line.substr(0, colon));
    std::string_view value = trim(line.substr(colon + 1));
    std::string* field = nullptr;
    if (iequals(name, "Content-Type"))
      field = &response.content_type;
    else if (iequals(name, "ETag"))
      field = &response.etag;
    else if (iequals(name, "Last-Modified"))
      field = &response.last_modified;
    else if (iequals(name, "Cache-Control"))
      field = &response.cache_control;
    else if (iequals(name, "Expires"))
      field = &response.expires;
    else if (iequals(name, "Date"))
      field = &response.date;
    else if (iequals(name, "Retry-After"))
      field = &response.retry_after;
    if (field == nullptr) return bytes;
    if (!field->empty()) field->append(", ");
    field->append(value);
    return bytes;
  }

  static void start_response_headers(Transfer& transfer, std::string_view status_line) {
    FetchResponse& response = transfer.response;
    clear_headers(response);
    // "HTTP/1.1 404 Not Found" or "HTTP/2 404"
    std::string_view rest = status_line.substr(std::min(status_line.find(' '), status_line.size()));
    rest = trim(rest);
    long status = 0;
    std::size_t digits = 0;
    while (digits < rest.size() && digits < 3 && std::isdigit(static_cast<unsigned char>(rest[digits])))
      status = status * 10 + (rest[digits++] - '0');
    response.status = status;
    transfer.reason_phrase = std::string(trim(rest.substr(digits)));
  }

  CURL* acquire_handle() {
    if (idle_handles.empty()) return curl_easy_init();
    CURL* easy = idle_handles.back();
    idle_handles.pop_back();
    return easy;
  }

  void release_handle(CURL* easy) {
    if (idle_handles.size() < options.max_total_transfers)
      idle_handles.push_back(easy);
    else
      curl_easy_cleanup(easy);
  }

  FetchOptions options;
  CURLM* multi = nullptr;
  fetch_detail::HostQueue<Queued> queue;
  std::unordered_map<Transfer*, std::unique_ptr<Transfer>> active;
  std::vector<CURL*> idle_handles;
  std::vector<FetchResult> finished;
  std::atomic<bool> woken{false};
};

HttpFetcher::HttpFetcher(FetchOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
HttpFetcher::~HttpFetcher() = default;

void HttpFetcher::submit(FetchRequest request) { impl_->submit(std::move(request)); }

std::vector<FetchResult> HttpFetcher::run(std::chrono::milliseconds max_wait) { return impl_->run(max_wait); }

void HttpFetcher::wakeup() {
  impl_->woken.store(true);
  curl_multi_wakeup(impl_->multi);
}

std::size_t HttpFetcher::in_flight() const { return impl_->active.size(); }
std::size_t HttpFetcher::queued() const { return impl_->queue.waiting(); }

std::vector<FetchResult> HttpFetcher::cancel_all() { return impl_->cancel_all(); }

std::string HttpFetcher::supported_encodings() {
  ensure_curl_global_init();
  const curl_version_info_data* info = curl_version_info(CURLVERSION_NOW);
  std::string encodings;
  auto add = [&](bool has, const char* name) {
    if (!has) return;
    if (!encodings.empty()) encodings += ", ";
    encodings += name;
  };
  add(info->features & CURL_VERSION_LIBZ, "gzip, deflate");
  add(info->features & CURL_VERSION_BROTLI, "br");
#ifdef CURL_VERSION_ZSTD
  add(info->features & CURL_VERSION_ZSTD, "zstd");
#endif
  return encodings;
}

}  // namespace newswatch
