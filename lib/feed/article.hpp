#pragma once
// The parser's output: plain value types that every later stage reads.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace newswatch {

using Instant = std::chrono::sys_seconds;  // UTC, second precision

enum class FeedFormat { unknown, rss090, rss091, rss092, rss20, rss10, atom03, atom10, json10, json11 };

// One item of a feed. Every text field is UTF-8 plain text: entities decoded, markup removed.
struct Article {
  std::string id;     // guid / atom:id; else the link; else a hash of title + published
  std::string title;  // whitespace collapsed
  std::string link;   // absolute URL, or empty
  std::optional<Instant> published;
  std::optional<Instant> updated;
  std::string summary;  // plain text; block elements became line breaks
  std::string content;  // plain text of the full content, when the feed has it
  std::vector<std::string> authors;
  std::vector<std::string> categories;
};

struct Feed {
  FeedFormat format = FeedFormat::unknown;
  std::string title;
  std::string link;  // absolute URL of the site, or empty
  // RSS <ttl>: minutes the publisher says the feed may be cached. Absent when missing, not a
  // positive whole number, or above a week (a larger value is a typo, not a caching policy).
  std::optional<std::chrono::minutes> ttl;
  std::vector<Article> articles;
};

const char* to_string(FeedFormat format);

}  // namespace newswatch
