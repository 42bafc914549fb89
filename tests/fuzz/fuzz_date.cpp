// Date parser: any text to an instant or nothing. Checks: a date it reads prints as RFC 3339 and that
// text reads back to the same instant; the year stays in the range it promises (1900 and later).
#include <cstddef>
#include <cstdint>

#include "feed/date.hpp"
#include "fuzz_support.hpp"

using namespace newswatch;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 512) return 0;  // dates are short; longer inputs only slow the search down
  const auto date = parse_feed_date(fuzz::as_text(data, size));
  if (!date) return 0;
  const std::string text = format_rfc3339(*date);
  fuzz::require(text.size() == 20 && text.back() == 'Z', "RFC 3339 in UTC, second precision", text);
  fuzz::require(text >= "1900", "no year before 1900", text);
  fuzz::require(parse_feed_date(text) == date, "the printed date reads back the same", text);
  return 0;
}
