#pragma once
// HTML fragments (as feeds embed them in titles, summaries and content) to plain UTF-8 text.
#include <string>
#include <string_view>

namespace newswatch {

// Block text: <script>, <style> and comments dropped; block elements (p, div, br, li, h1-h6, tr,
// blockquote, pre, ...) become line breaks; entities decoded (named HTML entities too); runs of spaces
// and tabs collapse to one space; at most one blank line in a row; no leading or trailing whitespace.
std::string html_to_text(std::string_view html);

// One line of text (titles, names): like html_to_text, then every run of whitespace becomes one space.
std::string html_to_inline_text(std::string_view html);

// Text that is not HTML but may carry entity references that an XML parser left alone
// (&nbsp; &eacute; &#8212; ...): decodes them; everything else is kept byte for byte.
std::string decode_entities(std::string_view text);

// Every run of Unicode white space becomes one ASCII space; leading and trailing white space removed.
std::string collapse_whitespace(std::string_view text);

}  // namespace newswatch
