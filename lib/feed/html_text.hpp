#pragma once
// HTML fragments (as feeds embed them in titles, summaries and content) to plain UTF-8 text.
// Any thread may call these at once (html_to_text keeps one libxml2 parser context per thread).
// Input is UTF-8; invalid bytes become U+FFFD, and every result is valid UTF-8, whatever the input.
#include <optional>
#include <string>
#include <string_view>

namespace newswatch {

// Block text: <script>, <style>, <head>, <template>, <noscript> and comments dropped; block elements
// (p, div, br, li, h1-h6, tr, blockquote, pre, ...) become line breaks (paragraph-like ones a blank
// line); entities decoded (named HTML entities too); runs of spaces and tabs collapse to one space;
// a no-break space counts as a space; at most one blank line in a row; no leading or trailing
// whitespace. Input with no '<' at all is plain text: no parser runs and its own line breaks are kept;
// inside markup, a line break in the source is white space as in a browser (except in <pre>).
// Nesting deeper than libxml2's limit (256) loses its deepest text.
std::string html_to_text(std::string_view html);

// One line of text (titles, names): like html_to_text, then every run of whitespace becomes one space.
std::string html_to_inline_text(std::string_view html);

// Text that is not HTML but may carry entity references that an XML parser left alone
// (&nbsp; &eacute; &#8212; ...): decodes them; everything else is kept byte for byte. Named references
// need their ';' and are those libxml2 knows (HTML 4's 253, plus &apos;); unknown names stay as
// written. Numeric ones may omit the ';'; 0x80-0x9F mean windows-1252 as in HTML; NUL, surrogates and
// values past U+10FFFF become U+FFFD.
std::string decode_entities(std::string_view text);

// Every run of Unicode white space becomes one ASCII space; leading and trailing white space removed.
std::string collapse_whitespace(std::string_view text);

// The two ways html_to_text reads markup, exposed so that tests can hold them against each other.
namespace html_text_paths {

// The fast path for the simple markup most feeds carry: a handful of inline and block elements,
// properly nested, with quoted attributes and well-formed entity references. Gives exactly what
// libxml_markup_to_text gives for `utf8` (valid UTF-8), or nothing when the markup is outside what
// it accepts (see html_text.cpp for the rules and why each keeps the two paths equal).
std::optional<std::string> simple_markup_to_text(std::string_view utf8);

// The general path: libxml2's HTML parser, for anything.
std::string libxml_markup_to_text(std::string_view html);

// True when `utf8` is tags and white space only, read strictly, whose text html_to_text then knows to
// be empty without libxml2; false for anything it cannot prove that of.
bool holds_no_text(std::string_view utf8);

}  // namespace html_text_paths

}  // namespace newswatch
