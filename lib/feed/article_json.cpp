#include "feed/article_json.hpp"

#include "feed/date.hpp"

namespace newswatch {
namespace {

nlohmann::json instant_or_null(const std::optional<Instant>& instant) {
  if (!instant) return nullptr;
  return format_rfc3339(*instant);
}

}  // namespace

nlohmann::json article_to_json(const Feed& feed, const Article& article) {
  // An ordered_json would fix the key order, but the line's consumers read keys, not positions.
  nlohmann::json line = nlohmann::json::object();
  line["feed_title"] = feed.title;
  line["id"] = article.id;
  line["title"] = article.title;
  line["link"] = article.link;
  line["published"] = instant_or_null(article.published);
  line["updated"] = instant_or_null(article.updated);
  line["summary"] = article.summary;
  line["content"] = article.content;
  line["authors"] = article.authors;
  line["categories"] = article.categories;
  return line;
}

}  // namespace newswatch
