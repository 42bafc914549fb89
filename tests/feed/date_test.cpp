#include <catch2/catch.hpp>

#include "feed/date.hpp"

namespace newswatch {
namespace {

// The instant a date string should read as, written as RFC 3339 UTC, or "" for absent.
std::string read_as(std::string_view text) {
  const auto instant = parse_feed_date(text);
  return instant ? format_rfc3339(*instant) : "";
}

}  // namespace

TEST_CASE("RFC 822 dates with English names and every kind of zone") {
  const auto [text, expected] = GENERATE(table<std::string_view, std::string_view>({
      {"Thu, 01 Jan 2004 19:48:21 GMT", "2004-01-01T19:48:21Z"},
      {"Sat, 28 Sep 2002 21:00:02 GMT", "2002-09-28T21:00:02Z"},
      {"Fri, 21 Jan 2022 10:00:00 +0100", "2022-01-21T09:00:00Z"},
      {"Fri, 21 Jan 2022 10:00:00 +01:00", "2022-01-21T09:00:00Z"},
      {"Fri, 21 Jan 2022 10:00:00 -0530", "2022-01-21T15:30:00Z"},
      {"Fri, 21 Jan 2022 10:00:00 -0000", "2022-01-21T10:00:00Z"},
      {"Fri, 21 Jan 2022 10:00:00 UT", "2022-01-21T10:00:00Z"},
      {"Fri, 21 Jan 2022 10:00:00 UTC", "2022-01-21T10:00:00Z"},
      {"Fri, 21 Jan 2022 10:00:00 Z", "2022-01-21T10:00:00Z"},
      {"Fri, 21 Jan 2022 10:00:00 EST", "2022-01-21T15:00:00Z"},
      {"Fri, 21 Jan 2022 10:00:00 EDT", "2022-01-21T14:00:00Z"},
      {"Fri, 21 Jan 2022 10:00:00 CST", "2022-01-21T16:00:00Z"},
      {"Fri, 21 Jan 2022 10:00:00 CDT", "2022-01-21T15:00:00Z"},
      {"Fri, 21 Jan 2022 10:00:00 MST", "2022-01-21T17:00:00Z"},
      {"Fri, 21 Jan 2022 10:00:00 MDT", "2022-01-21T16:00:00Z"},
      {"Fri, 21 Jan 2022 10:00:00 PST", "2022-01-21T18:00:00Z"},
      {"Fri, 21 Jan 2022 10:00:00 PDT", "2022-01-21T17:00:00Z"},
      {"Fri, 21 Jan 2022 10:00:00 pdt", "2022-01-21T17:00:00Z"},
      {"Fri, 21 Jan 2022 10:00:00 CET", "2022-01-21T09:00:00Z"},
      {"Fri, 21 Jan 2022 10:00:00 GMT+1", "2022-01-21T09:00:00Z"},
      {"Fri, 21 Jan 2022 10:00:00 UTC-05:00", "2022-01-21T15:00:00Z"},
      {"Fri, 21 Jan 2022 10:00:00 +0100 (CET)", "2022-01-21T09:00:00Z"},
      // RFC 5322 section 4.3: military zones other than Z are read as -0000.
      {"Fri, 21 Jan 2022 10:00:00 A", "2022-01-21T10:00:00Z"},
      {"Fri, 21 Jan 2022 10:00:00 z", "2022-01-21T10:00:00Z"},
  }));
  CAPTURE(text);
  CHECK(read_as(text) == expected);
}

}  // namespace newswatch
