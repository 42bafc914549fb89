#include "pipeline.hpp"

#include <chrono>

namespace newswatch {

ArticleVerdict evaluate_article(const Article& article, const FeedInfo& feed, const Matcher& matcher,
                                Instant detected_at) {
  ArticleVerdict verdict;
  verdict.identity = article_identity(article, feed.url);
  const MatchResult result = matcher.match(article);
  if (result.alerts()) {
    verdict.alert = build_alert(article, feed, result, matcher.watchlists(), detected_at);
  }
  return verdict;
}

Instant current_instant() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

}  // namespace newswatch
