#include "config.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>

#include "fixtures.hpp"

using namespace newswatch;
using namespace std::chrono_literals;

namespace {

std::vector<std::string> problems_of(const std::string& yaml) {
  auto result = parse_config(yaml, "test.yaml", "/etc/newswatch");
  std::vector<std::string> lines;
  if (result) return lines;
  for (const auto& p : result.error()) lines.push_back(p.to_string());
  return lines;
}

}  // namespace

TEST_CASE("the shipped configuration is valid") {
  auto result = load_config(testing::source_dir() / "config/newswatch.yaml");
  INFO((result ? std::string() : result.error().front().to_string()));
  REQUIRE(result);
  CHECK(result->feeds.size() >= 15);
  CHECK(result->poll.interval == 5min);
  CHECK(result->sink.type == SinkType::jsonl);
  CHECK(result->watchlists.front() == testing::source_dir() / "config/watchlists/eastern-flank.yaml");
}

TEST_CASE("defaults apply and relative paths resolve against the file's folder") {
  auto result = parse_config("watchlists: [w.yaml]\nfeeds: [\"https://example.org/a.rss\"]\n", "t.yaml", "/etc/nw");
  REQUIRE(result);
  CHECK(result->state_dir == "/etc/nw/var/state");
  CHECK(result->watchlists.at(0) == "/etc/nw/w.yaml");
  CHECK(result->poll.concurrency == 32);
  CHECK(result->poll.per_host == 2);
  CHECK(result->poll.connect_timeout == 10s);
  CHECK(result->poll.timeout == 30s);
  CHECK(result->poll.max_body_bytes == 16u << 20);
  CHECK(result->parser.max_items == 10000);
  CHECK(result->article_retention == std::chrono::hours(24 * 30));
  CHECK(result->feeds.at(0).name == "https://example.org/a.rss");
  CHECK_FALSE(result->feeds.at(0).interval);
  CHECK(result->sink.path == "-");
  CHECK(result->metrics.listen == "127.0.0.1:9464");
}

TEST_CASE("the parser and matcher limits are read, and their defaults are the libraries' own") {
  auto defaults = parse_config("watchlists: [w.yaml]\n", "t.yaml", "/etc/nw");
  REQUIRE(defaults);
  const ParseLimits parse_defaults;
  const ParseLimits parse = parse_limits(*defaults);
  CHECK(parse.max_items == parse_defaults.max_items);
  CHECK(parse.max_title_bytes == parse_defaults.max_title_bytes);
  CHECK(parse.max_text_bytes == parse_defaults.max_text_bytes);
  CHECK(parse.max_link_bytes == parse_defaults.max_link_bytes);
  CHECK(parse.max_names == parse_defaults.max_names);
  CHECK(parse.max_markup == parse_defaults.max_markup);
  CHECK(parse.max_bytes == defaults->poll.max_body_bytes);
  const MatcherOptions matcher_defaults;
  const MatcherOptions matcher = matcher_options(*defaults);
  CHECK(matcher.max_matches_per_article == matcher_defaults.max_matches_per_article);
  CHECK(matcher.snippet_chars == matcher_defaults.snippet_chars);
  CHECK(matcher.watchlist_limits.max_terms == matcher_defaults.watchlist_limits.max_terms);
  CHECK(matcher.watchlist_limits.max_file_bytes == matcher_defaults.watchlist_limits.max_file_bytes);

  auto set = parse_config(R"(
watchlists: [w.yaml]
parser: {max_items: 50, max_title: 1KiB, max_text: 64KiB, max_link: 2KiB, max_names: 10, max_markup: 20000}
matcher: {max_matches_per_article: 200, snippet_chars: 80, max_terms_per_watchlist: 5000, max_watchlist_size: 1MiB}
)",
                          "t.yaml", "/etc/nw");
  REQUIRE(set);
  const ParseLimits p = parse_limits(*set);
  CHECK(p.max_items == 50);
  CHECK(p.max_title_bytes == 1024);
  CHECK(p.max_text_bytes == 65536);
  CHECK(p.max_link_bytes == 2048);
  CHECK(p.max_names == 10);
  CHECK(p.max_markup == 20000);
  const MatcherOptions m = matcher_options(*set);
  CHECK(m.max_matches_per_article == 200);
  CHECK(m.snippet_chars == 80);
  CHECK(m.watchlist_limits.max_terms == 5000);
  CHECK(m.watchlist_limits.max_file_bytes == 1u << 20);

  auto wrong = parse_config("watchlists: [w.yaml]\nmatcher: {max_terms: 5}\nparser: {max_names: 0}\n", "t.yaml", "/etc/nw");
  REQUIRE_FALSE(wrong);
  std::string all;
  for (const auto& problem : wrong.error()) all += problem.to_string() + "\n";
  CHECK(all.find("max_terms") != std::string::npos);
  CHECK(all.find("max_names must be a whole number from 1") != std::string::npos);
}

TEST_CASE("per-feed settings are read") {
  auto result = parse_config(R"(
watchlists: [w.yaml]
poll: {interval: 90s}
feeds:
  - url: https://example.org/world.rss
    interval: 2m
    name: Example World
sink: {type: jsonl, path: out/alerts.jsonl}
)", "t.yaml", "/srv");
  REQUIRE(result);
  CHECK(result->poll.interval == 90s);
  CHECK(result->feeds.at(0).interval == 2min);
  CHECK(result->feeds.at(0).name == "Example World");
  CHECK(result->sink.path == "/srv/out/alerts.jsonl");
}

TEST_CASE("problems carry file, line and column and name the fault") {
  SECTION("unknown keys, at any level") {
    auto lines = problems_of("watchlists: [w.yaml]\npoll:\n  intervall: 5m\nfeedz: []\n");
    REQUIRE(lines.size() == 2);
    CHECK(lines[0].rfind("test.yaml:3:3: unknown key 'intervall' in poll", 0) == 0);
    CHECK(lines[1].rfind("test.yaml:4:1: unknown key 'feedz'", 0) == 0);
  }
  SECTION("YAML syntax") {
    auto lines = problems_of("watchlists: [w.yaml\nfeeds: x\n");
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].rfind("test.yaml:", 0) == 0);
  }
  SECTION("bad values") {
    auto lines = problems_of(
        "watchlists: [w.yaml]\npoll: {interval: soon, concurrency: -1, max_body: lots}\n"
        "feeds: [ftp://x/y, {name: no url}]\nsink: {type: carrier-pigeon}\nlog: {level: loud}\n");
    CHECK(lines.size() == 7);
    CHECK(lines[0] == "test.yaml:2:18: interval must be a duration like 90s, 5m or 1h (at least 1000 ms), not 'soon'");
  }
  SECTION("all problems, not only the first") {
    auto lines = problems_of("feeds: [\"https://a/x\", \"https://a/x\"]\n");
    CHECK(lines.size() == 2);  // no watchlists, duplicate feed
  }
  SECTION("kafka settings") {
    auto lines = problems_of(
        "watchlists: [w.yaml]\nsink: {type: kafka, properties: {acks: '1', linger.ms: '5'}, "
        "security: {protocol: sasl_ssl, username: u}}\n");
    CHECK(lines.size() == 3);  // no brokers, reserved property, SASL without password
  }
}

TEST_CASE("a kafka password comes from the environment or a file, never the config text") {
  ::setenv("NEWSWATCH_TEST_SECRET", "s3cret", 1);
  auto result = parse_config(
      "watchlists: [w.yaml]\nsink: {type: kafka, brokers: '127.0.0.1:9092', "
      "security: {protocol: sasl_plaintext, sasl_mechanism: PLAIN, username: u, password_env: NEWSWATCH_TEST_SECRET}}\n",
      "t.yaml", "/srv");
  REQUIRE(result);
  CHECK(result->sink.kafka.security.password == "s3cret");
  CHECK(result->sink.kafka.topic == "newswatch.alerts");
  auto unknown = problems_of("watchlists: [w.yaml]\nsink: {type: kafka, brokers: b, security: {password: x}}\n");
  REQUIRE(unknown.size() == 1);
  CHECK(unknown[0].find("unknown key 'password'") != std::string::npos);
}

TEST_CASE("durations and sizes") {
  CHECK(parse_duration("90s") == 90s);
  CHECK(parse_duration("5m") == 5min);
  CHECK(parse_duration("1h") == 1h);
  CHECK(parse_duration("500ms") == 500ms);
  CHECK(parse_duration("30d") == std::chrono::hours(720));
  CHECK(parse_duration("12") == 12s);
  CHECK_FALSE(parse_duration("5 minutes"));
  CHECK_FALSE(parse_duration("m"));
  CHECK_FALSE(parse_duration("-5s"));
  CHECK(parse_size("16MiB") == 16u << 20);
  CHECK(parse_size("1KB") == 1000u);
  CHECK(parse_size("4096") == 4096u);
  CHECK_FALSE(parse_size("big"));
}
