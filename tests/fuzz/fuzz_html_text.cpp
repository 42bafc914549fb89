// HTML to text: any bytes as an HTML fragment. Checks: valid UTF-8 out whatever comes in; the inline
// form has no line breaks and no white space at its ends; collapse_whitespace is idempotent; and
// whatever the fast path accepts, it reads exactly as libxml2 does (the fast path's whole promise), and
// markup that holds_no_text accepts has no text for libxml2 either.
#include <cstddef>
#include <cstdint>

#include "feed/encoding.hpp"
#include "feed/html_text.hpp"
#include "fuzz_support.hpp"

using namespace newswatch;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view html = fuzz::as_text(data, size);
  const std::string text = html_to_text(html);
  fuzz::require_utf8(text, "html_to_text gives valid UTF-8");

  const std::string line = html_to_inline_text(html);
  fuzz::require_utf8(line, "html_to_inline_text gives valid UTF-8");
  fuzz::require(line.find('\n') == std::string::npos, "inline text has no line break", line);
  fuzz::require(line.empty() || (line.front() != ' ' && line.back() != ' '), "inline text is trimmed", line);

  const std::string utf8 = sanitize_utf8(html);
  if (const auto fast = html_text_paths::simple_markup_to_text(utf8)) {
    fuzz::require(*fast == html_text_paths::libxml_markup_to_text(utf8), "the fast path reads as libxml2 does",
                  *fast);
  }

  if (html_text_paths::holds_no_text(utf8)) {
    fuzz::require(html_text_paths::libxml_markup_to_text(utf8).empty(), "markup said to hold no text holds none",
                  utf8);
  }

  (void)decode_entities(html);
  const std::string collapsed = collapse_whitespace(html);
  fuzz::require(collapse_whitespace(collapsed) == collapsed, "collapse_whitespace is idempotent", collapsed);
  return 0;
}
