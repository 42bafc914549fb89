#include "config.hpp"

#include "common/bounded_read.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <set>
#include <span>
#include <string_view>
#include <tuple>

namespace newswatch {
namespace {

// One declared key of a section: the name and what it means. The tables below are the single list
// of what the file may contain; config/newswatch.yaml and the README document the same keys.
struct KeySpec {
  std::string_view name;
  std::string_view meaning;
};

constexpr KeySpec kTopKeys[] = {
    {"state_dir", "folder of the SQLite state file"},
    {"watchlists", "watchlist files"},
    {"poll", "polling settings"},
    {"parser", "parser limits"},
    {"matcher", "matcher limits"},
    {"feeds", "feeds to poll"},
    {"sink", "where alerts go"},
    {"outbox", "undelivered alerts"},
    {"article_retention", "how long processed articles are remembered"},
    {"log", "logging"},
    {"metrics", "the metrics and health endpoint"},
};
constexpr KeySpec kPollKeys[] = {
    {"interval", "default poll interval"},
    {"concurrency", "transfers at once, all hosts"},
    {"per_host", "transfers at once to one host"},
    {"connect_timeout", "TCP+TLS connect timeout"},
    {"timeout", "whole-transfer timeout"},
    {"low_speed_bytes", "abort below this many bytes/s ..."},
    {"low_speed_time", "... for this long"},
    {"max_body", "decoded body cap"},
    {"unhealthy_after", "consecutive failures before a feed is unhealthy"},
    {"user_agent", "User-Agent header"},
    {"ca_file", "CA bundle for TLS verification"},
};
constexpr KeySpec kParserKeys[] = {
    {"max_items", "items read per feed"},
    {"max_title", "title, author and category cap"},
    {"max_text", "summary and content cap, each"},
    {"max_link", "longest link kept"},
    {"max_names", "authors and categories per article"},
    {"max_markup", "XML tags or JSON values per document"},
};
constexpr KeySpec kMatcherKeys[] = {
    {"max_matches_per_article", "matches kept per article"},
    {"snippet_chars", "snippet length around a match"},
    {"max_terms_per_watchlist", "terms per watchlist file"},
    {"max_watchlist_size", "largest watchlist file read"},
};
constexpr KeySpec kFeedKeys[] = {
    {"url", "feed URL (its identity)"}, {"name", "display name"}, {"interval", "poll interval"}};
constexpr KeySpec kSinkKeys[] = {
    {"type", "jsonl | kafka"},
    {"path", "jsonl: file or -"},
    {"brokers", "kafka: host:port,..."},
    {"topic", "kafka: topic"},
    {"properties", "kafka: librdkafka properties"},
    {"security", "kafka: TLS and SASL"},
    {"flush_timeout", "kafka: flush timeout on shutdown"},
};
constexpr KeySpec kSecurityKeys[] = {
    {"protocol", "plaintext | ssl | sasl_plaintext | sasl_ssl"},
    {"sasl_mechanism", "PLAIN | SCRAM-SHA-256 | SCRAM-SHA-512"},
    {"username", "SASL user"},
    {"password_file", "file holding the SASL password"},
    {"password_env", "environment variable holding the SASL password"},
    {"ssl_ca_file", "CA bundle for the brokers"},
};
constexpr KeySpec kOutboxKeys[] = {{"max_depth", "alerts kept before polling pauses"}};
constexpr KeySpec kLogKeys[] = {{"level", "trace | debug | info | warn | error"}};
constexpr KeySpec kMetricsKeys[] = {{"enabled", "serve /metrics and /healthz"},
                                    {"listen", "address:port"}};

// librdkafka properties that the sink owns: a user value would silently undo its delivery guarantees.
constexpr std::string_view kReservedKafkaProperties[] = {
    "bootstrap.servers", "metadata.broker.list", "enable.idempotence", "acks", "request.required.acks",
    "sasl.password",     "sasl.username",        "security.protocol"};

class Reader {
 public:
  Reader(std::string file, std::filesystem::path base_dir)
      : file_(std::move(file)), base_dir_(std::move(base_dir)) {}

  std::vector<ConfigProblem>& problems() { return problems_; }

  void problem(const YAML::Node& at, std::string message) {
    const YAML::Mark mark = at.Mark();
    problems_.push_back({file_, mark.line + 1, mark.column + 1, std::move(message)});
  }

  bool expect_map(const YAML::Node& node, std::string_view what) {
    if (node.IsMap()) return true;
    problem(node, std::string(what) + " must be a mapping");
    return false;
  }

  void check_keys(const YAML::Node& map, std::span<const KeySpec> keys, std::string_view section) {
    for (const auto& entry : map) {
      const std::string key = entry.first.Scalar();
      const bool known = std::any_of(keys.begin(), keys.end(), [&](const KeySpec& k) { return k.name == key; });
      if (!known) {
        std::string allowed;
        for (const auto& k : keys) allowed += (allowed.empty() ? "" : ", ") + std::string(k.name);
        problem(entry.first, "unknown key '" + key + "' in " + std::string(section) + " (known: " + allowed + ")");
      }
    }
  }

  std::optional<std::string> scalar(const YAML::Node& node, std::string_view key) {
    if (!node.IsScalar()) {
      problem(node, std::string(key) + " must be a single value");
      return std::nullopt;
    }
    return node.Scalar();
  }

  void read_string(const YAML::Node& map, std::string_view key, std::string& out) {
    if (const YAML::Node node = map[std::string(key)]) {
      if (auto value = scalar(node, key)) out = *value;
    }
  }

  template <typename Int>
  void read_int(const YAML::Node& map, std::string_view key, Int& out, long long min, long long max) {
    const YAML::Node node = map[std::string(key)];
    if (!node) return;
    auto text = scalar(node, key);
    if (!text) return;
    long long value = 0;
    const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc() || end != text->data() + text->size() || value < min || value > max) {
      problem(node, std::string(key) + " must be a whole number from " + std::to_string(min) + " to " +
                        std::to_string(max) + ", not '" + *text + "'");
      return;
    }
    out = static_cast<Int>(value);
  }

  template <typename Duration>
  void read_duration(const YAML::Node& map, std::string_view key, Duration& out, std::chrono::milliseconds min) {
    const YAML::Node node = map[std::string(key)];
    if (!node) return;
    auto text = scalar(node, key);
    if (!text) return;
    const auto value = parse_duration(*text);
    if (!value || *value < min) {
      problem(node, std::string(key) + " must be a duration like 90s, 5m or 1h (at least " +
                        std::to_string(min.count()) + " ms), not '" + *text + "'");
      return;
    }
    out = std::chrono::duration_cast<Duration>(*value);
  }

  void read_size(const YAML::Node& map, std::string_view key, std::size_t& out) {
    const YAML::Node node = map[std::string(key)];
    if (!node) return;
    auto text = scalar(node, key);
    if (!text) return;
    const auto value = parse_size(*text);
    if (!value || *value == 0) {
      problem(node, std::string(key) + " must be a size like 16MiB or 512KiB, not '" + *text + "'");
      return;
    }
    out = *value;
  }

  void read_bool(const YAML::Node& map, std::string_view key, bool& out) {
    const YAML::Node node = map[std::string(key)];
    if (!node) return;
    auto text = scalar(node, key);
    if (!text) return;
    if (*text == "true" || *text == "yes" || *text == "on") {
      out = true;
    } else if (*text == "false" || *text == "no" || *text == "off") {
      out = false;
    } else {
      problem(node, std::string(key) + " must be true or false, not '" + *text + "'");
    }
  }

  std::filesystem::path resolve(const std::string& path) const {
    std::filesystem::path p(path);
    return (p.is_absolute() ? p : base_dir_ / p).lexically_normal();
  }

  const std::string& file() const { return file_; }

 private:
  std::string file_;
  std::filesystem::path base_dir_;
  std::vector<ConfigProblem> problems_;
};

void read_poll(Reader& r, const YAML::Node& node, PollConfig& poll) {
  if (!r.expect_map(node, "poll")) return;
  r.check_keys(node, kPollKeys, "poll");
  r.read_duration(node, "interval", poll.interval, std::chrono::seconds(1));
  r.read_int(node, "concurrency", poll.concurrency, 1, 10000);
  r.read_int(node, "per_host", poll.per_host, 1, 1000);
  r.read_duration(node, "connect_timeout", poll.connect_timeout, std::chrono::seconds(1));
  r.read_duration(node, "timeout", poll.timeout, std::chrono::seconds(1));
  r.read_int(node, "low_speed_bytes", poll.low_speed_bytes, 0, 1LL << 30);
  r.read_duration(node, "low_speed_time", poll.low_speed_time, std::chrono::seconds(1));
  r.read_size(node, "max_body", poll.max_body_bytes);
  r.read_int(node, "unhealthy_after", poll.unhealthy_after, 1, 1000000);
  r.read_string(node, "user_agent", poll.user_agent);
  std::string ca_file;
  r.read_string(node, "ca_file", ca_file);
  if (!ca_file.empty()) poll.ca_file = r.resolve(ca_file).string();
}

bool is_http_or_file_url(const std::string& url) {
  auto starts = [&](std::string_view prefix) {
    if (url.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(url[i])) != prefix[i]) return false;
    }
    return url.size() > prefix.size();
  };
  return starts("http://") || starts("https://") || starts("file://");
}

void read_feeds(Reader& r, const YAML::Node& node, std::vector<FeedConfig>& feeds) {
  if (!node.IsSequence()) {
    r.problem(node, "feeds must be a list");
    return;
  }
  std::set<std::string> urls;
  for (const auto& item : node) {
    FeedConfig feed;
    if (item.IsScalar()) {
      feed.url = item.Scalar();
    } else if (r.expect_map(item, "a feed")) {
      r.check_keys(item, kFeedKeys, "a feed");
      r.read_string(item, "url", feed.url);
      r.read_string(item, "name", feed.name);
      std::chrono::seconds interval{0};
      if (item["interval"]) {
        r.read_duration(item, "interval", interval, std::chrono::seconds(1));
        if (interval.count() > 0) feed.interval = interval;
      }
    } else {
      continue;
    }
    if (feed.url.empty()) {
      r.problem(item, "a feed needs a url");
      continue;
    }
    if (!is_http_or_file_url(feed.url)) {
      r.problem(item, "feed url must start with http://, https:// or file://, not '" + feed.url + "'");
      continue;
    }
    if (!urls.insert(feed.url).second) {
      r.problem(item, "feed '" + feed.url + "' is listed twice");
      continue;
    }
    if (feed.name.empty()) feed.name = feed.url;
    feeds.push_back(std::move(feed));
  }
}

std::optional<std::string> read_secret(Reader& r, const YAML::Node& security) {
  const YAML::Node file_node = security["password_file"];
  const YAML::Node env_node = security["password_env"];
  if (file_node && env_node) {
    r.problem(security, "give the SASL password by password_file or password_env, not both");
    return std::nullopt;
  }
  if (file_node) {
    std::string path;
    r.read_string(security, "password_file", path);
    std::ifstream in(r.resolve(path), std::ios::binary);
    if (!in) {
      r.problem(file_node, "cannot read password_file '" + r.resolve(path).string() + "'");
      return std::nullopt;
    }
    // Bounded: a password_file naming /dev/zero or a huge file must not be read to its end.
    std::string secret(kMaxSecretBytes + 1, '\0');
    in.read(secret.data(), static_cast<std::streamsize>(secret.size()));
    secret.resize(static_cast<std::size_t>(in.gcount()));
    const std::size_t line_end = secret.find('\n');
    if (line_end == std::string::npos && secret.size() > kMaxSecretBytes) {
      r.problem(file_node,
                "password_file's first line is longer than " + std::to_string(kMaxSecretBytes) + " bytes");
      return std::nullopt;
    }
    if (line_end != std::string::npos) secret.resize(line_end);
    return secret;
  }
  if (env_node) {
    std::string name;
    r.read_string(security, "password_env", name);
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) {
      r.problem(env_node, "environment variable '" + name + "' (password_env) is not set");
      return std::nullopt;
    }
    return std::string(value);
  }
  return std::nullopt;
}

void read_kafka_security(Reader& r, const YAML::Node& node, KafkaSecurityConfig& security) {
  if (!r.expect_map(node, "sink.security")) return;
  r.check_keys(node, kSecurityKeys, "sink.security");
  r.read_string(node, "protocol", security.protocol);
  r.read_string(node, "sasl_mechanism", security.sasl_mechanism);
  r.read_string(node, "username", security.username);
  std::string ca;
  r.read_string(node, "ssl_ca_file", ca);
  if (!ca.empty()) security.ssl_ca_file = r.resolve(ca).string();
  if (auto secret = read_secret(r, node)) security.password = *secret;

  static const std::set<std::string> protocols = {"", "plaintext", "ssl", "sasl_plaintext", "sasl_ssl"};
  if (!protocols.count(security.protocol)) {
    r.problem(node["protocol"], "security.protocol must be plaintext, ssl, sasl_plaintext or sasl_ssl");
  }
  static const std::set<std::string> mechanisms = {"", "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"};
  if (!mechanisms.count(security.sasl_mechanism)) {
    r.problem(node["sasl_mechanism"], "sasl_mechanism must be PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512");
  }
  const bool sasl = security.protocol.rfind("sasl_", 0) == 0;
  if (sasl && (security.username.empty() || security.password.empty())) {
    r.problem(node, "SASL needs username and a password (password_file or password_env)");
  }
}

void read_sink(Reader& r, const YAML::Node& node, SinkConfig& sink) {
  if (!r.expect_map(node, "sink")) return;
  r.check_keys(node, kSinkKeys, "sink");
  std::string type = "jsonl";
  r.read_string(node, "type", type);
  if (type == "jsonl") {
    sink.type = SinkType::jsonl;
    r.read_string(node, "path", sink.path);
    if (sink.path != "-") sink.path = r.resolve(sink.path).string();
    for (std::string_view kafka_only : {"brokers", "topic", "properties", "security", "flush_timeout"}) {
      if (node[std::string(kafka_only)]) {
        r.problem(node[std::string(kafka_only)], std::string(kafka_only) + " applies to type: kafka only");
      }
    }
    return;
  }
  if (type != "kafka") {
    r.problem(node["type"], "sink type must be jsonl or kafka, not '" + type + "'");
    return;
  }
  sink.type = SinkType::kafka;
  if (node["path"]) r.problem(node["path"], "path applies to type: jsonl only");
  r.read_string(node, "brokers", sink.kafka.brokers);
  if (sink.kafka.brokers.empty()) r.problem(node, "a kafka sink needs brokers (host:port,...)");
  r.read_string(node, "topic", sink.kafka.topic);
  if (sink.kafka.topic.empty()) r.problem(node, "a kafka sink needs a topic");
  r.read_duration(node, "flush_timeout", sink.kafka.flush_timeout, std::chrono::milliseconds(100));
  if (const YAML::Node properties = node["properties"]) {
    if (r.expect_map(properties, "sink.properties")) {
      for (const auto& entry : properties) {
        const std::string key = entry.first.Scalar();
        if (std::find(std::begin(kReservedKafkaProperties), std::end(kReservedKafkaProperties), key) !=
            std::end(kReservedKafkaProperties)) {
          r.problem(entry.first, "property '" + key + "' is set by newswatch itself (use brokers / security)");
          continue;
        }
        if (auto value = r.scalar(entry.second, key)) sink.kafka.properties[key] = *value;
      }
    }
  }
  if (const YAML::Node security = node["security"]) read_kafka_security(r, security, sink.kafka.security);
}

void read_section(Reader& r, const YAML::Node& root, std::string_view key, std::span<const KeySpec> keys,
                  auto&& read) {
  const YAML::Node node = root[std::string(key)];
  if (!node) return;
  if (!r.expect_map(node, key)) return;
  r.check_keys(node, keys, key);
  read(node);
}

void read_document(Reader& r, const YAML::Node& root, Config& config) {
  if (!root.IsMap()) {
    r.problem(root, "the configuration must be a mapping of keys (state_dir, watchlists, feeds, ...)");
    return;
  }
  r.check_keys(root, kTopKeys, "the configuration");

  std::string state_dir = "var/state";
  r.read_string(root, "state_dir", state_dir);
  config.state_dir = r.resolve(state_dir);

  if (const YAML::Node lists = root["watchlists"]) {
    if (lists.IsSequence()) {
      for (const auto& item : lists) {
        if (auto path = r.scalar(item, "a watchlist")) config.watchlists.push_back(r.resolve(*path));
      }
    } else if (auto path = r.scalar(lists, "watchlists")) {
      config.watchlists.push_back(r.resolve(*path));
    }
  }
  if (config.watchlists.empty()) r.problem(root, "watchlists: at least one watchlist file is needed");

  if (const YAML::Node poll = root["poll"]) read_poll(r, poll, config.poll);
  read_section(r, root, "parser", kParserKeys, [&](const YAML::Node& n) {
    ParserLimitsConfig& parser = config.parser;
    r.read_int(n, "max_items", parser.max_items, 1, 1000000);
    r.read_size(n, "max_title", parser.max_title_bytes);
    r.read_size(n, "max_text", parser.max_text_bytes);
    r.read_size(n, "max_link", parser.max_link_bytes);
    r.read_int(n, "max_names", parser.max_names, 1, 100000);
    r.read_int(n, "max_markup", parser.max_markup, 1, 100000000);
  });
  read_section(r, root, "matcher", kMatcherKeys, [&](const YAML::Node& n) {
    MatcherConfig& matcher = config.matcher;
    r.read_int(n, "max_matches_per_article", matcher.max_matches_per_article, 1, 1000000);
    r.read_int(n, "snippet_chars", matcher.snippet_chars, 0, 100000);
    r.read_int(n, "max_terms_per_watchlist", matcher.max_terms_per_watchlist, 1, 100000000);
    r.read_size(n, "max_watchlist_size", matcher.max_watchlist_bytes);
  });
  if (const YAML::Node feeds = root["feeds"]) read_feeds(r, feeds, config.feeds);
  if (const YAML::Node sink = root["sink"]) read_sink(r, sink, config.sink);
  read_section(r, root, "outbox", kOutboxKeys,
               [&](const YAML::Node& n) { r.read_int(n, "max_depth", config.outbox.max_depth, 1, 100000000); });
  r.read_duration(root, "article_retention", config.article_retention, std::chrono::hours(1));
  read_section(r, root, "log", kLogKeys, [&](const YAML::Node& n) {
    r.read_string(n, "level", config.log.level);
    static const std::set<std::string> levels = {"trace", "debug", "info", "warn", "error"};
    if (!levels.count(config.log.level)) r.problem(n["level"], "log level must be trace, debug, info, warn or error");
  });
  read_section(r, root, "metrics", kMetricsKeys, [&](const YAML::Node& n) {
    r.read_bool(n, "enabled", config.metrics.enabled);
    r.read_string(n, "listen", config.metrics.listen);
    if (config.metrics.listen.rfind(':') == std::string::npos) {
      r.problem(n["listen"], "metrics.listen must be address:port");
    }
  });
}

}  // namespace

std::string ConfigProblem::to_string() const {
  if (line <= 0) return file + ": " + message;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

bool apply_state_directory(Config& config) {
  const char* variable = std::getenv("STATE_DIRECTORY");
  if (variable == nullptr || *variable == '\0') return false;
  const std::string all(variable);
  const std::filesystem::path first = all.substr(0, all.find(':'));  // several directories: the first
  if (first == config.state_dir) return false;
  config.state_dir = first;
  return true;
}

std::optional<std::chrono::milliseconds> parse_duration(const std::string& text) {
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  if (digits == 0 || digits > 12) return std::nullopt;
  const long long number = std::stoll(text.substr(0, digits));
  const std::string unit = text.substr(digits);
  static const std::pair<std::string_view, long long> units[] = {
      {"", 1000}, {"s", 1000}, {"ms", 1}, {"m", 60'000}, {"h", 3'600'000}, {"d", 86'400'000}};
  for (const auto& [name, factor] : units) {
    if (unit != name) continue;
    // Twelve digits of days would overflow milliseconds; nothing we configure lasts past the cap.
    if (number > kMaxDuration.count() / factor) return std::nullopt;
    return std::chrono::milliseconds(number * factor);
  }
  return std::nullopt;
}

std::optional<std::size_t> parse_size(const std::string& text) {
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  if (digits == 0 || digits > 12) return std::nullopt;
  const unsigned long long number = std::stoull(text.substr(0, digits));
  const std::string unit = text.substr(digits);
  static const std::pair<std::string_view, unsigned long long> units[] = {
      {"", 1},          {"B", 1},          {"KiB", 1ull << 10}, {"MiB", 1ull << 20}, {"GiB", 1ull << 30},
      {"KB", 1000ull}, {"MB", 1000000ull}, {"GB", 1000000000ull}};
  for (const auto& [name, factor] : units) {
    if (unit != name) continue;
    if (number > std::numeric_limits<std::size_t>::max() / factor) return std::nullopt;  // would wrap
    return static_cast<std::size_t>(number * factor);
  }
  return std::nullopt;
}

Result<Config, std::vector<ConfigProblem>> parse_config(const std::string& text, const std::string& file,
                                                        const std::filesystem::path& base_dir) {
  Reader reader(file, base_dir);
  Config config;
  config.file = file;
  try {
    const YAML::Node root = YAML::Load(text);
    read_document(reader, root, config);
  } catch (const YAML::Exception& e) {
    // yaml-cpp reports syntax faults by exception; this is the boundary where they become values.
    reader.problems().push_back({file, e.mark.line + 1, e.mark.column + 1, e.msg});
  }
  if (!reader.problems().empty()) {
    std::stable_sort(reader.problems().begin(), reader.problems().end(), [](const auto& a, const auto& b) {
      return std::tie(a.line, a.column) < std::tie(b.line, b.column);
    });
    return std::move(reader.problems());
  }
  return config;
}

Result<Config, std::vector<ConfigProblem>> load_config(const std::filesystem::path& file) {
  const FileBytes text = read_file_at_most(file, kMaxConfigBytes);
  if (text.problem == FileBytes::Problem::too_large) {
    return std::vector<ConfigProblem>{
        {file.string(), 0, 0,
         "the configuration file is larger than " + std::to_string(kMaxConfigBytes) + " bytes"}};
  }
  if (!text) {
    return std::vector<ConfigProblem>{
        {file.string(), 0, 0, "cannot read the configuration file: " + std::string(std::strerror(text.error))}};
  }
  const auto absolute = std::filesystem::absolute(file);
  auto result = parse_config(text.bytes, file.string(), absolute.parent_path());
  if (result) result->file = absolute;
  return result;
}

ParseLimits parse_limits(const Config& config) {
  ParseLimits limits;
  limits.max_bytes = config.poll.max_body_bytes;
  limits.max_items = config.parser.max_items;
  limits.max_title_bytes = config.parser.max_title_bytes;
  limits.max_text_bytes = config.parser.max_text_bytes;
  limits.max_link_bytes = config.parser.max_link_bytes;
  limits.max_names = config.parser.max_names;
  limits.max_markup = config.parser.max_markup;
  return limits;
}

MatcherCacheOptions matcher_cache_options(const Config& config) {
  MatcherCacheOptions options;
  options.directory = config.state_dir / "cache";
  return options;
}

MatcherOptions matcher_options(const Config& config) {
  MatcherOptions options;
  options.max_matches_per_article = config.matcher.max_matches_per_article;
  options.snippet_chars = config.matcher.snippet_chars;
  options.watchlist_limits.max_terms = config.matcher.max_terms_per_watchlist;
  options.watchlist_limits.max_file_bytes = config.matcher.max_watchlist_bytes;
  return options;
}

}  // namespace newswatch
