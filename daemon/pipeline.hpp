#pragma once
// The stages wired together for one feed document: parse -> identity -> match -> alert. Shared by the
// daemon's loop and `newswatchd scan`, so both produce the same alerts for the same content.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alert/alert.hpp"
#include "feed/parser.hpp"
#include "match/matcher.hpp"

namespace newswatch {

struct ArticleVerdict {
  std::string identity;        // article_identity(): what dedup keys on
  std::optional<Alert> alert;  // set when a rule fired
};

// The alert for one article, or none. `feed` gives the configured URL and the feed's title.
ArticleVerdict evaluate_article(const Article& article, const FeedInfo& feed, const Matcher& matcher,
                                Instant detected_at);

Instant current_instant();

}  // namespace newswatch
