#pragma once
// The alert stage: Article + MatchResult + watchlist versions -> one alert, as JSON text
// (schema config/schema/newswatch.alert.v1.json). Pure functions: no I/O, no clock (the caller passes
// detected_at), no exceptions; the same inputs give byte-identical JSON.
//
// Size: an alert stays far below Kafka's default 1 MB message limit because every field an article or
// a watchlist controls is capped (AlertLimits). What was cut is listed in the alert's "truncated"
// array — "title", "summary", "matches", "snippets", "link", "id", "feed" — and "match_count" always
// gives the number of matches found (before any cap), so a consumer knows how much it did not see.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "feed/article.hpp"
#include "match/matcher.hpp"

namespace newswatch {

inline constexpr std::string_view kAlertSchema = "newswatch.alert.v1";

// `url` with a lowercase scheme and host, without its fragment and without utm_* query parameters
// (the other parameters keep their order). Text that is not an absolute URL comes back unchanged.
std::string normalize_link(std::string_view url);

// What identifies an article across fetches: its normalised link; without a link, the feed URL and the
// item id joined by a space. The state store deduplicates on it; alert_id is its hex SHA-256.
std::string article_identity(const Article& article, std::string_view feed_url);

struct FeedInfo {
  std::string url;    // the configured feed URL
  std::string title;  // as the feed gives it, or empty
};

struct AlertLimits {
  std::size_t max_title_bytes = 1024;
  std::size_t max_summary_bytes = 4096;
  std::size_t max_snippet_bytes = 480;  // a 160-character snippet in any script fits
  std::size_t max_matches = 200;
  std::size_t max_url_bytes = 8192;  // link, article id, feed URL and feed title each
};

struct Alert {
  std::string id;  // alert_id: hex SHA-256 of article_identity()
  Severity severity = Severity::low;
  std::string json;  // one line, no trailing newline
  // What was cut to stay within AlertLimits, as in the JSON's "truncated" array; usually empty.
  std::vector<std::string> truncated;
};

// The alert for an article whose MatchResult fired at least one rule; nullopt when none fired.
std::optional<Alert> build_alert(const Article& article, const FeedInfo& feed, const MatchResult& result,
                                 const std::vector<WatchlistInfo>& watchlists, Instant detected_at,
                                 const AlertLimits& limits = {});

}  // namespace newswatch
