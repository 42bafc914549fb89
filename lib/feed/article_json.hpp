#pragma once
// One article as the JSON object of a `newswatchd parse` output line.
#include <nlohmann/json.hpp>

#include "feed/article.hpp"

namespace newswatch {

// {"feed_title", "id", "title", "link", "published", "updated", "summary", "content", "authors",
//  "categories"}; dates are RFC 3339 UTC ending in "Z", or null when the feed gave none we could read.
// Pure; the result does not refer to its arguments.
nlohmann::json article_to_json(const Feed& feed, const Article& article);

}  // namespace newswatch
