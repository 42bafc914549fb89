#include "feed/html_text.hpp"

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>

#include "feed/detail/utf8.hpp"
#include "feed/encoding.hpp"

namespace newswatch {
namespace {

using namespace std::string_view_literals;

// How an element shapes the text around it.
enum class Layout { inline_element, line, paragraph, cell, skipped };

struct ElementLayout {
  std::string_view name;
  Layout layout;
};

// Sorted by name for binary search. Names follow the HTML Living Standard's rendering section
// (display: block and friends); cells become spaces so that a table row stays one line.
constexpr std::array<ElementLayout, 51> kElementLayouts = {{
    {"address", Layout::line},      {"article", Layout::paragraph},
    {"aside", Layout::paragraph},   {"blockquote", Layout::paragraph},
    {"body", Layout::line},         {"br", Layout::line},
    {"caption", Layout::line},      {"center", Layout::line},
    {"dd", Layout::line},           {"details", Layout::line},
    {"dialog", Layout::line},       {"dir", Layout::paragraph},
    {"div", Layout::line},          {"dl", Layout::paragraph},
    {"dt", Layout::line},           {"fieldset", Layout::line},
    {"figcaption", Layout::line},   {"figure", Layout::paragraph},
    {"footer", Layout::paragraph},  {"form", Layout::line},
    {"h1", Layout::paragraph},      {"h2", Layout::paragraph},
    {"h3", Layout::paragraph},      {"h4", Layout::paragraph},
    {"h5", Layout::paragraph},      {"h6", Layout::paragraph},
    {"head", Layout::skipped},      {"header", Layout::paragraph},
    {"hr", Layout::paragraph},      {"html", Layout::line},
    {"legend", Layout::line},       {"li", Layout::line},
    {"main", Layout::line},         {"menu", Layout::paragraph},
    {"nav", Layout::line},          {"noscript", Layout::skipped},
    {"ol", Layout::paragraph},      {"p", Layout::paragraph},
    {"pre", Layout::paragraph},     {"script", Layout::skipped},
    {"section", Layout::paragraph}, {"style", Layout::skipped},
    {"summary", Layout::line},      {"table", Layout::paragraph},
    {"td", Layout::cell},           {"template", Layout::skipped},
    {"textarea", Layout::line},     {"th", Layout::cell},
    {"title", Layout::skipped},     {"tr", Layout::line},
    {"ul", Layout::paragraph},
}};

Layout layout_of(std::string_view name) {
  const auto it = std::lower_bound(kElementLayouts.begin(), kElementLayouts.end(), name,
                                   [](const ElementLayout& e, std::string_view n) { return e.name < n; });
  return (it != kElementLayouts.end() && it->name == name) ? it->layout : Layout::inline_element;
}

bool keeps_line_breaks(std::string_view name) { return name == "pre" || name == "textarea"; }

// Bytes that need a look: C0 controls and space (whitespace), and 0xC2, which may begin U+00A0.
constexpr std::array<bool, 256> kSpecialBytes = [] {
  std::array<bool, 256> special{};
  for (int b = 0; b <= 0x20; ++b) special[b] = true;
  special[0xC2] = true;
  return special;
}();

std::size_t end_of_ordinary_run(std::string_view text, std::size_t pos) {
  while (pos < text.size() && !kSpecialBytes[static_cast<unsigned char>(text[pos])]) ++pos;
  return pos;
}

// Accumulates text under the header's whitespace rules: spaces and tabs collapse, line breaks are
// requested rather than written so that at most one blank line appears in a row, and nothing leads
// or trails. No-break spaces count as spaces: for matching and reading they are one.
class TextBuilder {
 public:
  explicit TextBuilder(std::size_t expected) { out_.reserve(expected); }

  void space() { pending_space_ = true; }
  void line_break(int count) { pending_lines_ = std::max(pending_lines_, count); }
  void newline_in_text() { pending_lines_ = std::min(2, pending_lines_ + 1); }

  // `newlines_are_breaks`: plain text and <pre> keep their line breaks; elsewhere in HTML a line
  // break in the source is only white space.
  void text(std::string_view text, bool newlines_are_breaks) {
    std::size_t i = 0;
    while (i < text.size()) {
      // Most bytes are ordinary: copy each run of them at once.
      const std::size_t run_end = end_of_ordinary_run(text, i);
      if (run_end > i) {
        flush_separator();
        out_.append(text, i, run_end - i);
        i = run_end;
        continue;
      }
      const char c = text[i];
      if (c == '\r' || c == '\n') {
        if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
        newlines_are_breaks ? newline_in_text() : space();
        ++i;
      } else if (c == '\xC2' && i + 1 < text.size() && text[i + 1] == '\xA0') {
        space();
        i += 2;
      } else if (c == '\xC2') {
        flush_separator();
        out_.push_back(c);
        ++i;
      } else {
        space();  // space, tab and the other C0 controls, which no text should carry
        ++i;
      }
    }
  }

  std::string take() { return std::move(out_); }

 private:
  void flush_separator() {
    if (!out_.empty()) {
      if (pending_lines_ > 0) {
        out_.append(static_cast<std::size_t>(pending_lines_), '\n');
      } else if (pending_space_) {
        out_.push_back(' ');
      }
    }
    pending_lines_ = 0;
    pending_space_ = false;
  }

  std::string out_;
  int pending_lines_ = 0;
  bool pending_space_ = false;
};

std::string plain_text_to_text(std::string_view text) {
  TextBuilder builder(text.size());
  builder.text(text, /*newlines_are_breaks=*/true);
  return builder.take();
}

void ensure_libxml_initialised() {
  // xmlInitParser must run once before threads use the parser (libxml2's threading notes).
  static std::once_flag once;
  std::call_once(once, [] { xmlInitParser(); });
}

struct DocFree {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};

// One parser context per thread, reused: creating a context and its name dictionary costs as much as
// parsing a short summary. The dictionary keeps every element and attribute name it has seen, so the
// context is renewed now and then to bound what hostile input can make it hold.
class ThreadParser {
 public:
  ThreadParser() = default;
  ThreadParser(const ThreadParser&) = delete;
  ThreadParser& operator=(const ThreadParser&) = delete;
  ~ThreadParser() { release(); }

  std::unique_ptr<xmlDoc, DocFree> parse(const std::string& html, int options) {
    if (context_ != nullptr && ++uses_ > kUsesPerContext) release();
    if (context_ == nullptr) context_ = htmlNewParserCtxt();
    if (context_ == nullptr) return nullptr;
    const int size = static_cast<int>(std::min<std::size_t>(html.size(), INT_MAX));
    return std::unique_ptr<xmlDoc, DocFree>(
        htmlCtxtReadMemory(context_, html.data(), size, nullptr, "UTF-8", options));
  }

 private:
  static constexpr int kUsesPerContext = 10000;

  void release() {
    if (context_ != nullptr) htmlFreeParserCtxt(context_);
    context_ = nullptr;
    uses_ = 0;
  }

  htmlParserCtxtPtr context_ = nullptr;
  int uses_ = 0;
};

std::string_view name_of(const xmlNode* node) {
  return node->name != nullptr ? std::string_view(reinterpret_cast<const char*>(node->name)) : ""sv;
}

void apply_layout(Layout layout, TextBuilder& builder) {
  if (layout == Layout::line) builder.line_break(1);
  if (layout == Layout::paragraph) builder.line_break(2);
  if (layout == Layout::cell) builder.space();
}

// Walks the tree without recursion, so that nesting depth costs no stack.
void collect_text(const xmlNode* root, TextBuilder& builder) {
  int preformatted_depth = 0;
  const xmlNode* node = root;
  while (node != nullptr) {
    bool descend = false;
    if (node->type == XML_ELEMENT_NODE) {
      const Layout layout = layout_of(name_of(node));
      if (layout != Layout::skipped) {
        apply_layout(layout, builder);
        if (keeps_line_breaks(name_of(node))) ++preformatted_depth;
        descend = node->children != nullptr;
        if (!descend && keeps_line_breaks(name_of(node))) --preformatted_depth;
      }
    } else if ((node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) &&
               node->content != nullptr) {
      builder.text(reinterpret_cast<const char*>(node->content), preformatted_depth > 0);
    }
    if (descend) {
      node = node->children;
      continue;
    }
    // Leave finished elements, closing each one's layout, until a sibling is found.
    while (node != nullptr && node != root && node->next == nullptr) {
      node = node->parent;
      if (node == nullptr || node->type != XML_ELEMENT_NODE) break;
      apply_layout(layout_of(name_of(node)), builder);
      if (keeps_line_breaks(name_of(node))) --preformatted_depth;
      if (node == root) break;
    }
    if (node == nullptr || node == root) break;
    node = node->next;
  }
}

// HTML has no CDATA sections, but feeds that escape XHTML into HTML carry them along; libxml2 would
// print their markers as text. Their content is what the author meant, so the markers go.
std::string unwrap_cdata_sections(std::string html) {
  constexpr std::string_view kOpen = "<![CDATA[";
  constexpr std::string_view kClose = "]]>";
  std::size_t open = html.find(kOpen);
  if (open == std::string::npos) return html;
  std::string out;
  out.reserve(html.size());
  std::size_t pos = 0;
  while (open != std::string::npos) {
    out.append(html, pos, open - pos);
    const std::size_t content = open + kOpen.size();
    std::size_t close = html.find(kClose, content);
    if (close == std::string::npos) close = html.size();
    out.append(html, content, close - content);
    pos = std::min(close + kClose.size(), html.size());
    open = html.find(kOpen, pos);
  }
  out.append(html, pos, std::string::npos);
  return out;
}

std::string markup_to_text(std::string_view html) {
  ensure_libxml_initialised();
  // libxml2 falls back to Latin-1 for the rest of the input at its first invalid UTF-8 byte.
  const std::string utf8 = unwrap_cdata_sections(sanitize_utf8(html));
  // Not HTML_PARSE_NOIMPLIED: without an implied <body>, libxml2 wraps each top-level run of text in
  // its own implied <p>, which would break "<b>a</b> b" into paragraphs. libxml2's default depth
  // limit (256) stays: a deeper document loses its deepest text rather than risking the stack.
  constexpr int kOptions = HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
                           HTML_PARSE_NODEFDTD | HTML_PARSE_COMPACT;
  thread_local ThreadParser parser;
  const std::unique_ptr<xmlDoc, DocFree> doc = parser.parse(utf8, kOptions);
  if (!doc) return {};
  TextBuilder builder(utf8.size());
  for (const xmlNode* top = doc->children; top != nullptr; top = top->next) {
    collect_text(top, builder);
  }
  std::string text = builder.take();
  // libxml2 writes UTF-8, but the promise of valid output must not rest on that.
  if (detail::first_invalid_utf8(text) != text.size()) text = sanitize_utf8(text);
  return text;
}

// HTML Living Standard, "numeric character reference end state": references to 0x80-0x9F name the
// windows-1252 characters at those bytes, because pages wrote them that way before Unicode.
constexpr std::array<char32_t, 32> kWindows1252C1 = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex_digit(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool is_alnum(char c) { return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Decodes the reference starting at text[pos] == '&' into `out` and returns its length, or 0 when
// there is no reference there (the '&' is then kept as written).
std::size_t decode_reference(std::string_view text, std::size_t pos, std::string& out) {
  std::size_t i = pos + 1;
  if (i < text.size() && text[i] == '#') {
    ++i;
    const bool hex = i < text.size() && (text[i] == 'x' || text[i] == 'X');
    if (hex) ++i;
    const std::size_t digits_start = i;
    std::uint32_t value = 0;
    while (i < text.size() && (hex ? is_hex_digit(text[i]) : is_digit(text[i]))) {
      const char c = text[i];
      const std::uint32_t digit = is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10;
      value = std::min<std::uint32_t>(value * (hex ? 16 : 10) + digit, 0x110000);  // saturates
      ++i;
    }
    if (i == digits_start) return 0;
    if (i < text.size() && text[i] == ';') ++i;  // HTML accepts numeric references without it
    if (value >= 0x80 && value <= 0x9F) value = kWindows1252C1[value - 0x80];
    if (value == 0 || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) value = 0xFFFD;
    detail::append_utf8(out, value);
    return i - pos;
  }
  constexpr std::size_t kLongestName = 32;
  while (i < text.size() && i - pos <= kLongestName && is_alnum(text[i])) ++i;
  if (i == pos + 1 || i >= text.size() || text[i] != ';') return 0;
  std::array<char, kLongestName + 2> name{};
  std::memcpy(name.data(), text.data() + pos + 1, i - pos - 1);
  const htmlEntityDesc* entity = htmlEntityLookup(reinterpret_cast<const xmlChar*>(name.data()));
  if (entity == nullptr) {
    if (std::string_view(name.data()) != "apos") return 0;  // XML's, missing from libxml2's HTML 4 table
    out.push_back('\'');
    return i + 1 - pos;
  }
  detail::append_utf8(out, entity->value);
  return i + 1 - pos;
}

bool has_markup(std::string_view html) { return html.find('<') != std::string_view::npos; }

}  // namespace

std::string decode_entities(std::string_view text) {
  std::size_t amp = text.find('&');
  if (amp == std::string_view::npos) return std::string(text);
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  while (amp != std::string_view::npos) {
    out.append(text.substr(pos, amp - pos));
    const std::size_t length = decode_reference(text, amp, out);
    if (length == 0) {
      out.push_back('&');
      pos = amp + 1;
    } else {
      pos = amp + length;
    }
    amp = text.find('&', pos);
  }
  out.append(text.substr(pos));
  return out;
}

std::string html_to_text(std::string_view html) {
  if (has_markup(html)) return markup_to_text(html);
  // Text without a single tag is plain text: its line breaks are kept, and no parser is needed.
  const std::string utf8 = sanitize_utf8(html);
  if (utf8.find('&') == std::string::npos) return plain_text_to_text(utf8);
  return plain_text_to_text(decode_entities(utf8));
}

std::string html_to_inline_text(std::string_view html) { return collapse_whitespace(html_to_text(html)); }

namespace {

// Unicode White_Space (PropList.txt) outside ASCII, as UTF-8 byte length at text[pos], or 0.
std::size_t unicode_space_length(std::string_view text, std::size_t pos) {
  const auto byte = [&](std::size_t i) {
    return pos + i < text.size() ? static_cast<std::uint8_t>(text[pos + i]) : std::uint8_t{0};
  };
  if (byte(0) == 0xC2 && (byte(1) == 0x85 || byte(1) == 0xA0)) return 2;  // NEL, NBSP
  if (byte(0) == 0xE1 && byte(1) == 0x9A && byte(2) == 0x80) return 3;    // OGHAM SPACE MARK
  if (byte(0) == 0xE2 && byte(1) == 0x80) {
    const std::uint8_t last = byte(2);
    // U+2000-200A spaces, U+2028 LINE SEPARATOR, U+2029 PARAGRAPH SEPARATOR, U+202F NARROW NBSP
    if ((last >= 0x80 && last <= 0x8A) || last == 0xA8 || last == 0xA9 || last == 0xAF) return 3;
  }
  if (byte(0) == 0xE2 && byte(1) == 0x81 && byte(2) == 0x9F) return 3;  // MEDIUM MATHEMATICAL SPACE
  if (byte(0) == 0xE3 && byte(1) == 0x80 && byte(2) == 0x80) return 3;  // IDEOGRAPHIC SPACE
  return 0;
}

}  // namespace

std::string collapse_whitespace(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    std::size_t space_length = 0;
    if (c == ' ' || (c >= '\t' && c <= '\r')) {
      space_length = 1;
    } else if (static_cast<unsigned char>(c) >= 0xC2) {
      space_length = unicode_space_length(text, i);
    }
    if (space_length > 0) {
      pending_space = true;
      i += space_length;
      continue;
    }
    if (pending_space && !out.empty()) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
    ++i;
  }
  return out;
}

}  // namespace newswatch
