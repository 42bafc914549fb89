#pragma once
// Dates as feeds write them, read into UTC instants.
#include <optional>
#include <string>
#include <string_view>

#include "feed/article.hpp"

namespace newswatch {

// Reads RFC 822 / RFC 2822 dates (named and numeric zones, missing seconds, two-digit years, day and
// month names in English, Italian, Portuguese, German, Spanish and French), RFC 3339 / W3DTF (including
// date-only and reduced precision forms) and the common broken variants seen in real feeds.
// Returns nullopt when the text cannot be read unambiguously: an absent date is better than a wrong one.
std::optional<Instant> parse_feed_date(std::string_view text);

// "2022-01-21T09:30:00Z"
std::string format_rfc3339(Instant instant);

}  // namespace newswatch
