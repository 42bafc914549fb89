#pragma once
// Dates as feeds write them, read into UTC instants. Pure functions: any thread may call them.
#include <optional>
#include <string>
#include <string_view>

#include "feed/article.hpp"

namespace newswatch {

// Reads RFC 822 / RFC 2822 dates (named and numeric zones, missing seconds, two-digit years, day and
// month names in English, Italian, Portuguese, German, Spanish and French), RFC 3339 / W3DTF (including
// date-only and reduced precision forms) and the common broken variants seen in real feeds.
// Returns nullopt when the text cannot be read unambiguously: an absent date is better than a wrong one.
// Details: no zone means UTC; military zone letters other than Z mean UTC too (RFC 5322 section 4.3);
// two-digit years 00-49 are 20xx, 50-99 19xx; a weekday that contradicts the date is ignored; fractions
// of seconds are dropped and a leap second stays in its minute; impossible dates (Feb 30), fields out of
// range, years before 1900, ambiguous zone names (IST) and numeric-only day/month orders are absent.
std::optional<Instant> parse_feed_date(std::string_view text);

// "2022-01-21T09:30:00Z"
std::string format_rfc3339(Instant instant);

}  // namespace newswatch
