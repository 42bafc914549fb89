#include "feed/html_text.hpp"

#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "feed/encoding.hpp"

namespace newswatch {
namespace {

bool is_valid_utf8(const std::string& text) {
  std::size_t replaced = 0;
  return sanitize_utf8(text, &replaced) == text && replaced == 0;
}

}  // namespace

TEST_CASE("html_to_text keeps text, drops markup and decodes entities") {
  const auto [html, expected] = GENERATE(table<std::string_view, std::string_view>({
      {"<p>Caf&eacute; &amp; K&ouml;ln &#8212;</p>", "Café & Köln —"},
      {"<b>bold</b> and <i>italic</i>", "bold and italic"},
      {"<a href=\"http://x\">link</a>text", "linktext"},
      {"<p>one</p><p>two</p>", "one\n\ntwo"},
      {"<p>one</p>\n\n\n<p>two</p>", "one\n\ntwo"},
      {"line<br>break<br/>again", "line\nbreak\nagain"},
      {"<div>a</div><div>b</div>", "a\nb"},
      {"<ul><li>first</li><li>second</li></ul>after", "first\nsecond\n\nafter"},
      {"<h1>Title</h1>Body", "Title\n\nBody"},
      {"<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc"},
      {"<script>alert('x')</script>visible", "visible"},
      {"<style>p { color: red }</style>visible", "visible"},
      {"<head><title>t</title></head><body>visible</body>", "visible"},
      {"before<!-- comment -->after", "beforeafter"},
      {"  <p>   spaced\t\tout   words  </p>  ", "spaced out words"},
      {"<p>wrapped\nsource line</p>", "wrapped source line"},
      {"<pre>keep\nlines</pre>", "keep\nlines"},
      {"a&nbsp;&nbsp;b", "a b"},
      {"<p>a&nbsp;b</p>", "a b"},
      {"<p>unclosed <b>bold <i>italic", "unclosed bold italic"},
      {"</p>stray close</div>", "stray close"},
      {"x < y and y > z", "x < y and y > z"},
      {"<p>AT&T &unknown; stays</p>", "AT&T &unknown; stays"},
      {"<![CDATA[raw <b>bold</b>]]>text", "raw boldtext"},
      {"", ""},
  }));
  CAPTURE(html);
  CHECK(html_to_text(html) == expected);
}

TEST_CASE("html_to_text treats text without tags as plain text") {
  CHECK(html_to_text("plain   text") == "plain text");
  CHECK(html_to_text("para one\n\n\n\npara two\r\nline") == "para one\n\npara two\nline");
  CHECK(html_to_text("  \n fish &amp; chips \n ") == "fish & chips");
  CHECK(html_to_text("&lt;p&gt; is a tag") == "<p> is a tag");
}

TEST_CASE("html_to_text turns invalid UTF-8 into U+FFFD and stays valid") {
  CHECK(html_to_text("<p>caf\xE9</p>") == "caf\xEF\xBF\xBD");
  CHECK(html_to_text("caf\xE9 plain") == "caf\xEF\xBF\xBD plain");
  CHECK(html_to_text("<p>K\xC3\xB6ln</p>") == "K\xC3\xB6ln");
}

TEST_CASE("html_to_text survives deep nesting and huge input") {
  std::string nested;
  for (int i = 0; i < 100; ++i) nested += "<div><span>";
  CHECK(html_to_text(nested + "core") == "core");
  // Past libxml2's depth limit the deepest text is lost, but nothing breaks.
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "<div><span>";
  CHECK(html_to_text("top" + deep + "core") == "top");
  std::string wide;
  for (int i = 0; i < 20000; ++i) wide += "<p>word</p>";
  const std::string text = html_to_text(wide);
  CHECK(text.size() == 20000 * 4 + 19999 * 2);
}

TEST_CASE("html_to_inline_text makes one line") {
  CHECK(html_to_inline_text("<p>one</p><p>two <b>three</b></p>") == "one two three");
  CHECK(html_to_inline_text("  Title\n  with   breaks ") == "Title with breaks");
  CHECK(html_to_inline_text("Caf&eacute;") == "Café");
}

TEST_CASE("decode_entities decodes named and numeric references and keeps the rest") {
  const auto [text, expected] = GENERATE(table<std::string_view, std::string_view>({
      {"&amp;&lt;&gt;&quot;&apos;", "&<>\"'"},
      {"caf&eacute; &nbsp;x", "caf\xC3\xA9 \xC2\xA0x"},
      {"&mdash;&hellip;&euro;&copy;", "—…€©"},
      {"&#8212;&#x2014;&#X2014;", "———"},
      {"&#65;&#x41", "AA"},
      {"&#0;&#xD800;&#x110000;&#99999999999;", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},
      {"&#146;&#150;", "’–"},  // windows-1252 code points, as HTML reads them
      {"AT&T", "AT&T"},
      {"&unknown; &amp", "&unknown; &amp"},
      {"&; &#; &#x; &", "&; &#; &#x; &"},
      {"<b>&amp;</b>", "<b>&</b>"},
      {"no references", "no references"},
  }));
  CAPTURE(text);
  CHECK(decode_entities(text) == expected);
}

TEST_CASE("collapse_whitespace folds every Unicode space") {
  CHECK(collapse_whitespace("  a \t\n b  ") == "a b");
  CHECK(collapse_whitespace("a\xC2\xA0\xE2\x80\x83\xE3\x80\x80"
                            "b") == "a b");
  CHECK(collapse_whitespace("\xE2\x80\xA8 x \xE2\x80\xA9") == "x");
  CHECK(collapse_whitespace("K\xC3\xB6ln") == "K\xC3\xB6ln");
  CHECK(collapse_whitespace("") == "");
}

// The definition, a byte at a time: each run of white space (ASCII's or Unicode's) becomes one space
// between the other characters, none at the ends.
std::string collapse_whitespace_slowly(std::string_view text) {
  static const std::vector<std::string_view> kUnicodeSpaces = {
      "\xC2\x85", "\xC2\xA0", "\xE1\x9A\x80", "\xE2\x80\x80", "\xE2\x80\x81", "\xE2\x80\x82",
      "\xE2\x80\x83", "\xE2\x80\x84", "\xE2\x80\x85", "\xE2\x80\x86", "\xE2\x80\x87", "\xE2\x80\x88",
      "\xE2\x80\x89", "\xE2\x80\x8A", "\xE2\x80\xA8", "\xE2\x80\xA9", "\xE2\x80\xAF", "\xE2\x81\x9F",
      "\xE3\x80\x80"};
  std::string out;
  bool pending = false;
  for (std::size_t i = 0; i < text.size();) {
    std::size_t space = std::string_view(" \t\n\v\f\r").find(text[i]) != std::string_view::npos ? 1 : 0;
    for (const std::string_view unicode : kUnicodeSpaces) {
      if (text.substr(i, unicode.size()) == unicode) space = unicode.size();
    }
    if (space > 0) {
      pending = true;
      i += space;
      continue;
    }
    if (pending && !out.empty()) out.push_back(' ');
    pending = false;
    out.push_back(text[i++]);
  }
  return out;
}

TEST_CASE("collapse_whitespace is its definition on random text") {
  std::mt19937 random(20220121);
  // Every space, their lead bytes cut short or followed by other bytes, and letters of other scripts.
  const std::vector<std::string> pieces = {
      "a", "bc", " ", "  ", "\t", "\n", "\v", "\f", "\r", "\xC2\xA0", "\xC2\x85", "\xC2", "\xC2\xA9",
      "\xE1\x9A\x80", "\xE1\x9A", "\xE2\x80\x83", "\xE2\x80\x8B", "\xE2\x80\xA8", "\xE2\x80\xAF",
      "\xE2\x80", "\xE2\x81\x9F", "\xE2\x81", "\xE3\x80\x80", "\xE3\x80\x81", "\xE3", "\xD0\x9A",
      "\xE4\xB8\xAD", "\xF0\x9F\x98\x80", "\x80", "\xFF", "\x1F"};
  std::uniform_int_distribution<std::size_t> piece(0, pieces.size() - 1), count(0, 12);
  for (int round = 0; round < 20000; ++round) {
    std::string text;
    for (std::size_t n = count(random); n > 0; --n) text += pieces[piece(random)];
    CAPTURE(text);
    REQUIRE(collapse_whitespace(text) == collapse_whitespace_slowly(text));
  }
}

TEST_CASE("Random bytes through the text functions always give valid UTF-8") {
  std::mt19937 random(20220121);  // fixed seed: the test is deterministic
  const std::string alphabet = "<>/&#;pdivbr!- \n\tabc\xC3\xA9\xE2\x80\x94\xFF\xC0\x80";
  for (int round = 0; round < 2000; ++round) {
    std::string input;
    const std::size_t length = random() % 200;
    for (std::size_t i = 0; i < length; ++i) {
      input.push_back(round % 2 == 0 ? static_cast<char>(random() % 256)
                                     : alphabet[random() % alphabet.size()]);
    }
    CAPTURE(input);
    REQUIRE(is_valid_utf8(html_to_text(input)));
    REQUIRE(is_valid_utf8(html_to_inline_text(input)));
    REQUIRE(is_valid_utf8(decode_entities(sanitize_utf8(input))));
  }
}

}  // namespace newswatch
