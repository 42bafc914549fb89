#pragma once
// The daemon's configuration file: every key declared once (daemon/config.cpp's key tables), validated
// up front, with file:line:column for every problem. Relative paths are relative to the config file.
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "feed/parser.hpp"
#include "match/matcher.hpp"
#include "match/matcher_cache.hpp"

namespace newswatch {

struct ConfigProblem {
  std::string file;
  int line = 0;    // 1-based; 0 when the problem has no position (a missing file)
  int column = 0;  // 1-based
  std::string message;

  // "file:line:column: message" (or "file: message" without a position)
  std::string to_string() const;
};

struct FeedConfig {
  std::string url;   // the feed's identity, whatever redirects say
  std::string name;  // for logs; defaults to the URL
  std::optional<std::chrono::seconds> interval;
};

struct PollConfig {
  std::chrono::seconds interval{300};
  int concurrency = 32;
  int per_host = 2;
  std::chrono::seconds connect_timeout{10};
  std::chrono::seconds timeout{30};
  long low_speed_bytes = 1024;  // a transfer slower than this for low_speed_time is aborted
  std::chrono::seconds low_speed_time{15};
  std::size_t max_body_bytes = 16u << 20;
  int unhealthy_after = 10;
  std::string user_agent;  // empty: newswatch/<version> (+<project URL>)
  std::string ca_file;     // empty: the system's trust store
};

// Defaults are ParseLimits' (lib/feed/parser.hpp); the document size comes from poll.max_body.
struct ParserLimitsConfig {
  std::size_t max_items = 10000;
  std::size_t max_title_bytes = 4096;
  std::size_t max_text_bytes = std::size_t{1} << 20;
  std::size_t max_link_bytes = 8000;
  std::size_t max_names = 100;
  std::size_t max_markup = 1'000'000;
};

// Defaults are MatcherOptions' and WatchlistLimits' (lib/match).
struct MatcherConfig {
  std::size_t max_matches_per_article = 1000;
  std::size_t snippet_chars = 160;
  std::size_t max_terms_per_watchlist = 200000;
  std::size_t max_watchlist_bytes = std::size_t{64} << 20;
};

struct KafkaSecurityConfig {
  std::string protocol;        // plaintext | ssl | sasl_plaintext | sasl_ssl ("" = plaintext)
  std::string sasl_mechanism;  // PLAIN | SCRAM-SHA-256 | SCRAM-SHA-512
  std::string username;
  std::string password;  // resolved from password_file or password_env, never written in the file
  std::string ssl_ca_file;
};

struct KafkaConfig {
  std::string brokers;
  std::string topic = "newswatch.alerts";
  std::map<std::string, std::string> properties;
  KafkaSecurityConfig security;
  std::chrono::milliseconds flush_timeout{10000};
};

enum class SinkType { jsonl, kafka };

struct SinkConfig {
  SinkType type = SinkType::jsonl;
  std::string path = "-";  // jsonl: a file, or "-" for standard output
  KafkaConfig kafka;
};

struct OutboxConfig {
  std::size_t max_depth = 100000;  // beyond it polling pauses until the sink catches up
};

struct LogConfig {
  std::string level = "info";  // trace | debug | info | warn | error
};

struct MetricsConfig {
  bool enabled = true;
  std::string listen = "127.0.0.1:9464";
};

struct Config {
  std::filesystem::path file;       // the config file itself
  std::filesystem::path state_dir;  // absolute
  std::vector<std::filesystem::path> watchlists;  // absolute
  PollConfig poll;
  ParserLimitsConfig parser;
  MatcherConfig matcher;
  std::vector<FeedConfig> feeds;
  SinkConfig sink;
  OutboxConfig outbox;
  std::chrono::seconds article_retention{std::chrono::hours(24 * 30)};
  LogConfig log;
  MetricsConfig metrics;
};

// The loader's own bounds, so that a wrong path (/dev/zero, a log file) or a typo cannot make it
// allocate or wait without end. Each is a problem with the file's name when exceeded.
inline constexpr std::size_t kMaxConfigBytes = std::size_t{1} << 20;  // the configuration file
inline constexpr std::size_t kMaxSecretBytes = 4096;                  // password_file's first line
// Any duration (interval, timeouts, retention): ten years. Longer is a typo, and 12 digits of days
// would overflow the milliseconds they are kept in.
inline constexpr std::chrono::milliseconds kMaxDuration = std::chrono::hours(24 * 365 * 10);

// Reads and validates the file. All problems are returned, not just the first.
Result<Config, std::vector<ConfigProblem>> load_config(const std::filesystem::path& file);

// The limits the configuration sets, as the parser and the matcher take them.
ParseLimits parse_limits(const Config& config);
MatcherOptions matcher_options(const Config& config);
// Compiled watchlists are cached in the state directory's cache/ folder (match/matcher_cache.hpp).
MatcherCacheOptions matcher_cache_options(const Config& config);

// Same, from text already in memory (file names the source in problems; relative paths resolve
// against base_dir).
Result<Config, std::vector<ConfigProblem>> parse_config(const std::string& text, const std::string& file,
                                                        const std::filesystem::path& base_dir);

// Under systemd, StateDirectory= (the STATE_DIRECTORY environment variable) is where state belongs,
// whatever the file says: replaces config.state_dir with it. Returns true when it did.
bool apply_state_directory(Config& config);

// "90s", "5m", "1h", "30d", "500ms" or a bare number of seconds.
std::optional<std::chrono::milliseconds> parse_duration(const std::string& text);

// "16MiB", "512KiB", "1GiB", "1000000" (bytes); KB/MB/GB are decimal.
std::optional<std::size_t> parse_size(const std::string& text);

}  // namespace newswatch
