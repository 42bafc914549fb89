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
#include <optional>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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
#if defined(__SSE2__)
  // Sixteen bytes at a time: runs of words between single spaces are what text is made of.
  const __m128i space = _mm_set1_epi8(0x20);
  const __m128i c2 = _mm_set1_epi8(static_cast<char>(0xC2));
  while (pos + 16 <= text.size()) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + pos));
    // byte <= 0x20, unsigned: max(byte, 0x20) == 0x20
    const __m128i special =
        _mm_or_si128(_mm_cmpeq_epi8(_mm_max_epu8(bytes, space), space), _mm_cmpeq_epi8(bytes, c2));
    const int mask = _mm_movemask_epi8(special);
    if (mask != 0) return pos + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
    pos += 16;
  }
#endif
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
  if (first_invalid_utf8(text) != text.size()) text = sanitize_utf8(text);
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

// The code point of an HTML 4 entity name as libxml2's htmlEntityLookup gives it, or 0 when its table
// lacks the name. htmlEntityLookup walks its whole table (about 280 instructions a call); the names
// feeds use most are answered here first, with the values of that same table.
char32_t html_entity_value(std::string_view name) {
  struct Common {
    std::string_view name;
    char32_t value;
  };
  static constexpr Common kCommon[] = {{"amp", 38},      {"lt", 60},       {"gt", 62},       {"quot", 34},
                                       {"nbsp", 160},    {"rsquo", 8217},  {"lsquo", 8216},  {"rdquo", 8221},
                                       {"ldquo", 8220},  {"mdash", 8212},  {"ndash", 8211},  {"hellip", 8230}};
  for (const Common& common : kCommon) {
    if (common.name == name) return common.value;
  }
  const std::string terminated(name);
  const htmlEntityDesc* entity = htmlEntityLookup(reinterpret_cast<const xmlChar*>(terminated.c_str()));
  return entity != nullptr ? entity->value : 0;
}

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
  const std::string_view name = text.substr(pos + 1, i - pos - 1);
  const char32_t value = html_entity_value(name);
  if (value == 0) {
    if (name != "apos") return 0;  // XML's, missing from libxml2's HTML 4 table
    out.push_back('\'');
    return i + 1 - pos;
  }
  detail::append_utf8(out, value);
  return i + 1 - pos;
}

bool has_markup(std::string_view html) { return html.find('<') != std::string_view::npos; }

// ---- The fast path: simple markup read without libxml2 ----
//
// Most summaries are a few paragraphs with links and emphasis; libxml2 spent a third of the parser's
// time on them. SimpleMarkupReader accepts a subset of HTML on which libxml2 2.9's HTML parser (with
// the options markup_to_text uses) builds a tree that collect_text reads exactly as the tag stream is
// read here, and refuses everything else (the caller then runs libxml2). The subset, and why:
//  - Elements: inline a, abbr, b, big, cite, code, em, font, i, q, s, small, span, strike, strong, tt,
//    u (and the other phrase elements); blocks p, div, h1-h6, blockquote, ul, ol, li, pre (its text
//    keeps its line breaks, as collect_text keeps them), figure, figcaption (unknown to libxml2 2.9, so
//    they close nothing); br and img; tables below. White space alone between tags is
//    kept by libxml2 (areBlanks) next to all of these, as measured; after a br it would not matter.
//  - Comments <!--...--> without "--" inside: no text.
//  - script and style once something has opened libxml2's implied <body> (at the very start it puts
//    them in an implied <head>), not in a list's or table's structure, ended by their own end tag:
//    libxml2 reads their content as raw text, and collect_text skips them; white space beside them is
//    kept, as measured. Their content may hold no "</" but their end tag's: libxml2 also ends it at the
//    end tag of an element open around it, and not at others.
//  - The elements libxml2's DTD declares empty (img, meta, link, param, area, input, base, basefont,
//    isindex) are never open, so their end tags, and </br>, are errors it ignores (libxml2 2.9; the
//    HTML5 tokenizer of later versions reads </br> as <br>). meta, link and base at the very start go
//    to an implied <head>: refused there.
//  - Containers libxml2 treats as inline (applet, audio, blink, canvas, embed, iframe, object, picture,
//    spacer, video): checked against its tree; their content is read like any inline element's.
//  - Every element closed by its own end tag, in order, or left open at the end of the input (br and
//    img have none; "<br/>", "<img/>" allowed); no <a> in <a>: libxml2 then never closes an element
//    early, so its tree has the same open/close order.
//  - A block starts only where libxml2's htmlStartClose table closes nothing for it (start_closes),
//    except the implied paragraph below; li only directly inside ul or ol. Text, inline elements, br
//    and img are never directly inside ul, ol or a table's structure.
//  - Text (or a reference) before any tag: libxml2 wraps it in an implied <p> (htmlCheckParagraph),
//    which the next block start closes; this reader does the same.
//  - Tables: table > (tbody|thead|tfoot)? > tr > (td|th), nothing else in their structure but white
//    space, which libxml2 may drop but which always sits next to a cell's space or a row's line
//    break.
//  - Attributes: a name, optionally = a quoted value without < or >; at most 32 elements deep.
//  - No C0 control but tab, LF and CR anywhere (libxml2 stops at a NUL, even in an attribute value),
//    and no byte order mark at the start (libxml2 drops it).
//  - Text: no C0 controls but tab, LF and CR, no U+FFFE/U+FFFF; '&' only in &name; with a name
//    libxml2's table knows, or &#digits; / &#xhex; of a character libxml2 keeps as it is (0x20-0x7E,
//    0xA0-0xD7FF, 0xE000-0xFFFD, 0x10000-0x10FFFF).
// tests/feed/html_text_fast_path_test.cpp holds the two paths against each other on every summary and
// content of the fixture corpus and on generated markup.

enum class SimpleKind : std::uint8_t {
  inline_element,
  block,
  list,
  list_item,
  line_break,
  empty,  // img and the other elements libxml2's DTD declares empty: never open, so no content
  table,
  table_section,
  table_row,
  table_cell,
  raw_text  // script, style: content up to the end tag is not text
};

struct SimpleElement {
  std::string_view name;
  SimpleKind kind;
};

// Sorted by name for binary search.
constexpr std::array<SimpleElement, 80> kSimpleElements = {{
    {"a", SimpleKind::inline_element},
    {"abbr", SimpleKind::inline_element},
    {"acronym", SimpleKind::inline_element},
    {"applet", SimpleKind::inline_element},
    {"area", SimpleKind::empty},
    {"article", SimpleKind::block},
    {"aside", SimpleKind::block},
    {"audio", SimpleKind::inline_element},
    {"b", SimpleKind::inline_element},
    {"base", SimpleKind::empty},
    {"basefont", SimpleKind::empty},
    {"bdo", SimpleKind::inline_element},
    {"big", SimpleKind::inline_element},
    {"blink", SimpleKind::inline_element},
    {"blockquote", SimpleKind::block},
    {"br", SimpleKind::line_break},
    {"canvas", SimpleKind::inline_element},
    {"cite", SimpleKind::inline_element},
    {"code", SimpleKind::inline_element},
    {"del", SimpleKind::inline_element},
    {"dfn", SimpleKind::inline_element},
    {"div", SimpleKind::block},
    {"em", SimpleKind::inline_element},
    {"embed", SimpleKind::inline_element},
    {"figcaption", SimpleKind::block},
    {"figure", SimpleKind::block},
    {"font", SimpleKind::inline_element},
    {"footer", SimpleKind::block},
    {"h1", SimpleKind::block},
    {"h2", SimpleKind::block},
    {"h3", SimpleKind::block},
    {"h4", SimpleKind::block},
    {"h5", SimpleKind::block},
    {"h6", SimpleKind::block},
    {"header", SimpleKind::block},
    {"i", SimpleKind::inline_element},
    {"iframe", SimpleKind::inline_element},
    {"img", SimpleKind::empty},
    {"input", SimpleKind::empty},
    {"ins", SimpleKind::inline_element},
    {"isindex", SimpleKind::empty},
    {"kbd", SimpleKind::inline_element},
    {"li", SimpleKind::list_item},
    {"link", SimpleKind::empty},
    {"main", SimpleKind::block},
    {"mark", SimpleKind::inline_element},
    {"meta", SimpleKind::empty},
    {"nav", SimpleKind::block},
    {"object", SimpleKind::inline_element},
    {"ol", SimpleKind::list},
    {"p", SimpleKind::block},
    {"param", SimpleKind::empty},
    {"picture", SimpleKind::inline_element},
    {"pre", SimpleKind::block},
    {"q", SimpleKind::inline_element},
    {"s", SimpleKind::inline_element},
    {"samp", SimpleKind::inline_element},
    {"script", SimpleKind::raw_text},
    {"section", SimpleKind::block},
    {"small", SimpleKind::inline_element},
    {"spacer", SimpleKind::inline_element},
    {"span", SimpleKind::inline_element},
    {"strike", SimpleKind::inline_element},
    {"strong", SimpleKind::inline_element},
    {"style", SimpleKind::raw_text},
    {"sub", SimpleKind::inline_element},
    {"sup", SimpleKind::inline_element},
    {"table", SimpleKind::table},
    {"tbody", SimpleKind::table_section},
    {"td", SimpleKind::table_cell},
    {"tfoot", SimpleKind::table_section},
    {"th", SimpleKind::table_cell},
    {"thead", SimpleKind::table_section},
    {"time", SimpleKind::inline_element},
    {"tr", SimpleKind::table_row},
    {"tt", SimpleKind::inline_element},
    {"u", SimpleKind::inline_element},
    {"ul", SimpleKind::list},
    {"var", SimpleKind::inline_element},
    {"video", SimpleKind::inline_element},
}};

static_assert(std::is_sorted(kSimpleElements.begin(), kSimpleElements.end(),
                             [](const SimpleElement& a, const SimpleElement& b) { return a.name < b.name; }));

// Names of at most 16 bytes packed into two integers, so that looking a tag up compares integers: a
// binary search of the names by string compare called memcmp about seven times a tag (3 % of parse
// instructions).
struct NameKey {
  std::uint64_t low = 0, high = 0;
  friend bool operator==(const NameKey&, const NameKey&) = default;
};

constexpr NameKey name_key(std::string_view name) {
  NameKey key;
  for (std::size_t k = 0; k < name.size() && k < 16; ++k) {
    (k < 8 ? key.low : key.high) |= std::uint64_t{static_cast<unsigned char>(name[k])} << (8 * (k % 8));
  }
  return key;
}

// kSimpleElements grouped by name length, with their keys, and each one's layout.
class SimpleElementIndex {
 public:
  SimpleElementIndex() {
    for (std::size_t k = 0; k < kSimpleElements.size(); ++k) {
      const SimpleElement& element = kSimpleElements[k];
      by_length_[element.name.size()].push_back({name_key(element.name), &element});
      layouts_[k] = layout_of(element.name);
    }
  }

  const SimpleElement* find(std::string_view name) const {
    if (name.size() >= by_length_.size()) return nullptr;
    const NameKey key = name_key(name);
    for (const Entry& entry : by_length_[name.size()]) {
      if (entry.key == key) return entry.element;
    }
    return nullptr;
  }

  Layout layout(const SimpleElement* element) const {
    return layouts_[static_cast<std::size_t>(element - kSimpleElements.data())];
  }

 private:
  struct Entry {
    NameKey key;
    const SimpleElement* element;
  };
  std::array<std::vector<Entry>, 17> by_length_;
  std::array<Layout, kSimpleElements.size()> layouts_{};
};

const SimpleElementIndex& simple_elements() {
  static const SimpleElementIndex index;
  return index;
}

const SimpleElement* simple_element(std::string_view name) { return simple_elements().find(name); }

bool is_html_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_ascii_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Whether text holds a C0 control other than tab, LF and CR: sixteen bytes at a time with SSE2 (it runs
// over every text the fast path reads), the last few as a reduction without an early exit.
bool has_control_character(std::string_view text) {
  std::size_t pos = 0;
#if defined(__SSE2__)
  const __m128i last_control = _mm_set1_epi8(0x1F);
  const __m128i tab = _mm_set1_epi8('\t'), newline = _mm_set1_epi8('\n'), carriage = _mm_set1_epi8('\r');
  for (; pos + 16 <= text.size(); pos += 16) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + pos));
    // byte <= 0x1F, unsigned: max(byte, 0x1F) == 0x1F
    const __m128i control = _mm_cmpeq_epi8(_mm_max_epu8(bytes, last_control), last_control);
    const __m128i line_end = _mm_or_si128(_mm_cmpeq_epi8(bytes, newline), _mm_cmpeq_epi8(bytes, carriage));
    const __m128i allowed = _mm_or_si128(_mm_cmpeq_epi8(bytes, tab), line_end);
    if (_mm_movemask_epi8(_mm_andnot_si128(allowed, control)) != 0) return true;
  }
#endif
  unsigned found = 0;
  for (const char c : text.substr(pos)) {
    const auto byte = static_cast<unsigned char>(c);
    found |= static_cast<unsigned>(byte < 0x20) & static_cast<unsigned>(byte != '\t') &
             static_cast<unsigned>(byte != '\n') & static_cast<unsigned>(byte != '\r');
  }
  return found != 0;
}

// ---- Markup without text ----
//
// Tags and white space only: libxml2 makes no text node of anything in it but white space, which
// collect_text turns into separators that nothing follows, so the text is empty. About half of the
// inputs the fast path refuses in the fixture corpus are such (the sanitiser tests' empty elements,
// images, SVG drawings), and libxml2 costs about 20,000 instructions each to say so. The tags are read
// strictly, and anything else (a character of text, a reference, a comment, a declaration, a control
// character, an attribute libxml2 might read otherwise) leaves the input to libxml2.

// A character of an element or attribute name, as both readers take them: XML's ASCII name characters.
bool is_name_char(char c, bool first) {
  return is_ascii_letter(c) || c == '_' || c == ':' || (!first && (is_digit(c) || c == '-' || c == '.'));
}

// Elements whose content libxml2 reads as raw text (script, style) or that other parsers do
// (textarea, title, xmp, plaintext, the no* elements, iframe): accepted only with nothing inside.
bool has_raw_content(std::string_view name) {
  for (std::string_view raw : {"script", "style", "textarea", "title", "xmp", "plaintext", "noscript", "noembed",
                               "noframes", "iframe"}) {
    if (name.size() == raw.size() &&
        std::equal(name.begin(), name.end(), raw.begin(), [](char a, char b) { return (a | 0x20) == b; }))
      return true;
  }
  return false;
}

class TagsOnlyReader {
 public:
  explicit TagsOnlyReader(std::string_view html) : html_(html) {}

  bool read() {
    bool tags = false;
    while (i_ < html_.size()) {
      if (is_html_blank(html_[i_])) {
        ++i_;
      } else if (html_[i_] == '<' && i_ + 1 < html_.size() && is_ascii_letter(html_[i_ + 1])) {
        if (!start_tag()) return false;
        tags = true;
      } else if (html_[i_] == '<' && i_ + 2 < html_.size() && html_[i_ + 1] == '/' &&
                 is_ascii_letter(html_[i_ + 2])) {
        i_ += 2;
        name();
        if (!end_tag()) return false;
        tags = true;
      } else {
        return false;
      }
    }
    return tags;
  }

 private:
  std::string_view name() {
    const std::size_t start = i_;
    while (i_ < html_.size() && is_name_char(html_[i_], false)) ++i_;
    return html_.substr(start, i_ - start);
  }
  void skip_space() {
    while (i_ < html_.size() && is_html_blank(html_[i_])) ++i_;
  }
  // The rest of an end tag after its name: libxml2 skips attributes there, which are refused here.
  bool end_tag() {
    skip_space();
    if (i_ >= html_.size() || html_[i_] != '>') return false;
    ++i_;
    return true;
  }
  bool start_tag() {
    ++i_;
    const std::string_view element = name();
    for (;;) {
      const std::size_t before_space = i_;
      skip_space();
      if (i_ >= html_.size()) return false;
      if (html_[i_] == '>' || (html_[i_] == '/' && i_ + 1 < html_.size() && html_[i_ + 1] == '>')) {
        i_ += html_[i_] == '>' ? 1 : 2;
        break;
      }
      // Attributes are separated by white space and named as XML names are.
      if (i_ == before_space || !is_name_char(html_[i_], true)) return false;
      name();
      skip_space();
      if (i_ < html_.size() && html_[i_] == '=' && !attribute_value()) return false;
    }
    if (!has_raw_content(element)) return true;
    // Only its own end tag may follow, at once.
    if (html_.size() - i_ < element.size() + 3 || html_.compare(i_, 2, "</") != 0) return false;
    const std::string_view closing = html_.substr(i_ + 2, element.size());
    if (!std::equal(closing.begin(), closing.end(), element.begin(),
                    [](char a, char b) { return (a | 0x20) == (b | 0x20); }))
      return false;
    i_ += 2 + element.size();
    if (i_ < html_.size() && is_name_char(html_[i_], false)) return false;  // "</scripts>": another element
    return end_tag();
  }
  bool attribute_value() {
    ++i_;  // '='
    skip_space();
    if (i_ >= html_.size()) return false;
    const char quote = html_[i_];
    if (quote == '"' || quote == '\'') {
      const std::size_t close = html_.find(quote, i_ + 1);
      if (close == std::string_view::npos) return false;
      i_ = close + 1;
      return true;
    }
    // Unquoted: libxml2 reads to white space or '>'; anything that might start something else is refused.
    const std::size_t start = i_;
    while (i_ < html_.size() && !is_html_blank(html_[i_]) && html_[i_] != '>') {
      const char c = html_[i_];
      if (c == '"' || c == '\'' || c == '<' || c == '=' || c == '`') return false;
      ++i_;
    }
    return i_ > start;
  }

  std::string_view html_;
  std::size_t i_ = 0;
};

class SimpleMarkupReader {
 public:
  explicit SimpleMarkupReader(std::string_view html) : html_(html), builder_(html.size()) {}

  std::optional<std::string> read() {
    // libxml2 stops at a NUL byte, even inside an attribute value, and reports the other C0 controls:
    // none is taken anywhere, in text (text() checks again), tags, comments or scripts.
    if (has_control_character(html_)) return std::nullopt;
    if (html_.substr(0, 3) == "\xEF\xBB\xBF") return std::nullopt;  // libxml2 drops a leading byte order mark
    while (pos_ < html_.size()) {
      const bool ok = html_[pos_] == '<' ? tag() : text();
      if (!ok) return std::nullopt;
    }
    // Elements still open are closed by the end of the input, in libxml2 as here; what closing them
    // would add (line breaks, a space) trails, and trailing separators are not written.
    if (implied_paragraph_) builder_.line_break(2);
    return builder_.take();
  }

 private:
  struct Open {
    const SimpleElement* element;
  };
  static constexpr std::size_t kMaxDepth = 32;

  const SimpleElement* top() const { return stack_.empty() ? nullptr : stack_.back().element; }

  // Elements whose children are only elements of their structure (li; tbody, tr, td).
  static bool is_structure(const SimpleElement* element) {
    return element != nullptr &&
           (element->kind == SimpleKind::list || element->kind == SimpleKind::table ||
            element->kind == SimpleKind::table_section || element->kind == SimpleKind::table_row);
  }

  // Text, inline elements, br and img may not sit directly in a list or a table's structure.
  bool inline_allowed() const { return !is_structure(top()); }

  static bool goes_to_head(std::string_view name) {
    return name == "meta" || name == "link" || name == "base";
  }
  static bool is_heading(std::string_view name) {
    return name.size() == 2 && name[0] == 'h' && name[1] >= '1' && name[1] <= '6';
  }
  static bool is_font_style(std::string_view name) {
    return name == "tt" || name == "i" || name == "b" || name == "u" || name == "s" || name == "strike" ||
           name == "big" || name == "small";
  }

  // Whether libxml2 closes the open element `open` when `started` starts inside it: its htmlStartClose
  // table, for the elements this reader knows.
  static bool start_closes(std::string_view started, std::string_view open) {
    if (started == "p") return open == "p" || is_heading(open) || is_font_style(open);
    if (started == "div" || started == "blockquote") return open == "p";
    if (is_heading(started)) return open == "p" || is_heading(open);
    if (started == "ul") return open == "p" || open == "ol" || open == "pre";
    if (started == "ol") return open == "p" || open == "ul";
    if (started == "li") return open == "p" || is_heading(open) || open == "li" || open == "pre";
    if (started == "a") return open == "a";
    if (started == "table") return open == "p" || is_heading(open) || open == "a" || open == "pre";
    if (started == "pre") return open == "p";
    return false;
  }

  // Blocks start where libxml2 closes nothing for them, or closes only the implied paragraph.
  bool block_allowed(const SimpleElement* element) {
    const SimpleElement* parent = top();
    const SimpleKind parent_kind = parent != nullptr ? parent->kind : SimpleKind::inline_element;
    switch (element->kind) {
      case SimpleKind::list_item:
        return parent_kind == SimpleKind::list && parent != nullptr;
      case SimpleKind::table_section:
        return parent_kind == SimpleKind::table && parent != nullptr;
      case SimpleKind::table_row:
        return parent != nullptr &&
               (parent_kind == SimpleKind::table || parent_kind == SimpleKind::table_section);
      case SimpleKind::table_cell:
        return parent_kind == SimpleKind::table_row && parent != nullptr;
      default:
        break;
    }
    if (is_structure(parent)) return false;
    if (parent == nullptr) {
      if (implied_paragraph_ && start_closes(element->name, "p")) {
        implied_paragraph_ = false;
        builder_.line_break(2);
      }
      return !implied_paragraph_ || !start_closes(element->name, "p");
    }
    return !start_closes(element->name, parent->name);
  }

  bool text() {
    const std::size_t end = std::min(html_.find('<', pos_), html_.size());
    const std::string_view run = html_.substr(pos_, end - pos_);
    // Control characters were refused for the whole input (read()). Runs without a reference or a
    // possible U+FFFE/U+FFFF go to the builder as they are; the others are decoded into decoded_.
    bool blank = true;
    for (const char c : run) {
      if (!is_html_blank(c)) {
        blank = false;
        break;
      }
    }
    const bool plain = std::memchr(run.data(), '&', run.size()) == nullptr &&
                       std::memchr(run.data(), '\xEF', run.size()) == nullptr;
    std::string_view text = run;
    if (!plain) {
      decoded_.clear();
      std::size_t i = 0;
      while (i < run.size()) {
        std::size_t next = i;
        while (next < run.size() && run[next] != '&' && run[next] != '\xEF') ++next;
        decoded_.append(run.substr(i, next - i));
        if (next == run.size()) break;
        if (run[next] == '&') {
          const std::size_t length = reference(run, next);
          if (length == 0) return false;
          blank = false;
          i = next + length;
          continue;
        }
        if (next + 2 < run.size() && run[next + 1] == '\xBF' && (run[next + 2] == '\xBE' || run[next + 2] == '\xBF'))
          return false;  // U+FFFE, U+FFFF: not XML characters
        decoded_.push_back(run[next]);
        i = next + 1;
      }
      text = decoded_;
    }
    if (!blank) {
      if (!inline_allowed()) return false;  // (white space alone there is dropped or is outweighed)
      if (!any_tag_seen_ && !implied_paragraph_) {
        implied_paragraph_ = true;
        builder_.line_break(2);
      }
    }
    builder_.text(text, /*newlines_are_breaks=*/preformatted_depth_ > 0);
    pos_ = end;
    return true;
  }

  // Appends the character of the reference at run[i] == '&' to decoded_; its length, or 0 to refuse.
  std::size_t reference(std::string_view run, std::size_t i) {
    std::size_t j = i + 1;
    if (j < run.size() && run[j] == '#') {
      ++j;
      const bool hex = j < run.size() && run[j] == 'x';
      if (hex) ++j;
      const std::size_t digits_start = j;
      std::uint32_t value = 0;
      while (j < run.size() && j - digits_start < 8 && (hex ? is_hex_digit(run[j]) : is_digit(run[j]))) {
        const char c = run[j];
        value = value * (hex ? 16 : 10) +
                static_cast<std::uint32_t>(is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10);
        ++j;
      }
      if (j == digits_start || j >= run.size() || run[j] != ';') return 0;
      const bool kept_as_is = (value >= 0x20 && value <= 0x7E) || (value >= 0xA0 && value <= 0xD7FF) ||
                              (value >= 0xE000 && value <= 0xFFFD) || (value >= 0x10000 && value <= 0x10FFFF);
      if (!kept_as_is) return 0;
      detail::append_utf8(decoded_, value);
      return j + 1 - i;
    }
    constexpr std::size_t kLongestName = 32;
    while (j < run.size() && j - i <= kLongestName && is_alnum(run[j])) ++j;
    if (j == i + 1 || j >= run.size() || run[j] != ';') return 0;
    const char32_t value = html_entity_value(run.substr(i + 1, j - i - 1));
    if (value == 0) return 0;
    detail::append_utf8(decoded_, value);
    return j + 1 - i;
  }

  bool starts_comment(std::size_t at) const { return html_.compare(at, 4, "<!--") == 0; }

  // <!--...-->, content not starting with '>' or "->" and without "--": libxml2 makes it a comment
  // node, which has no text and which areBlanks looks through.
  bool comment() {
    const std::size_t content = pos_ + 4;
    const std::size_t close = html_.find("--", content);
    if (close == std::string_view::npos || html_.compare(close, 3, "-->") != 0) return false;
    if (close == content || html_[content] == '>' || html_[content] == '-') return false;
    pos_ = close + 3;
    return true;
  }

  // A start or end tag or a comment at pos_ ('<').
  bool tag() {
    if (starts_comment(pos_)) return comment();
    std::size_t i = pos_ + 1;
    const bool end_tag = i < html_.size() && html_[i] == '/';
    if (end_tag) ++i;
    const std::size_t name_start = i;
    char name[16];
    std::size_t length = 0;
    while (i < html_.size() && (is_ascii_letter(html_[i]) || (length > 0 && is_digit(html_[i])))) {
      if (length == sizeof name) return false;
      name[length++] = static_cast<char>(html_[i] | (is_ascii_letter(html_[i]) ? 0x20 : 0));
      ++i;
    }
    if (i == name_start) return false;
    const SimpleElement* element = simple_element(std::string_view(name, length));
    if (element == nullptr) return false;
    if (element->kind == SimpleKind::raw_text) return !end_tag && raw_text(element, i);
    any_tag_seen_before_ = any_tag_seen_;
    any_tag_seen_ = true;
    return end_tag ? close(element, i) : open(element, i);
  }

  bool close(const SimpleElement* element, std::size_t i) {
    while (i < html_.size() && is_html_blank(html_[i])) ++i;
    if (i >= html_.size() || html_[i] != '>') return false;
    if (element->kind == SimpleKind::line_break || element->kind == SimpleKind::empty) {
      any_tag_seen_ = any_tag_seen_before_;  // an ignored error: it implies no <body> either
      pos_ = i + 1;
      return true;
    }
    if (implied_paragraph_ && stack_.empty() && element->name == "p") {
      implied_paragraph_ = false;  // closes the implied paragraph, as in libxml2
    } else {
      if (top() != element) return false;
      stack_.pop_back();
      if (keeps_line_breaks(element->name)) --preformatted_depth_;
    }
    apply(element);
    pos_ = i + 1;
    return true;
  }

  bool open(const SimpleElement* element, std::size_t i) {
    // Attributes: blank, name, optionally = and a quoted value; then '>' (or "/>" for br).
    bool self_closing = false;
    while (true) {
      const std::size_t blank_start = i;
      while (i < html_.size() && is_html_blank(html_[i])) ++i;
      if (i >= html_.size()) return false;
      if (html_[i] == '>') break;
      if (html_[i] == '/' && i + 1 < html_.size() && html_[i + 1] == '>') {
        self_closing = true;
        ++i;
        break;
      }
      if (i == blank_start) return false;
      if (!attribute(i)) return false;
    }
    const bool is_void = element->kind == SimpleKind::line_break || element->kind == SimpleKind::empty;
    if (self_closing && !is_void) return false;
    // At the very start libxml2 puts these in an implied <head>, and the text after them in an implied
    // <p>.
    if (!any_tag_seen_before_ && !implied_paragraph_ && goes_to_head(element->name)) return false;
    switch (element->kind) {
      case SimpleKind::line_break:
      case SimpleKind::empty:
      case SimpleKind::inline_element:
        if (!inline_allowed()) return false;
        break;
      case SimpleKind::block:
      case SimpleKind::list:
      case SimpleKind::list_item:
      case SimpleKind::table:
      case SimpleKind::table_section:
      case SimpleKind::table_row:
      case SimpleKind::table_cell:
        if (!block_allowed(element)) return false;
        break;
      case SimpleKind::raw_text:
        return false;  // read by raw_text()
    }
    if (element->name == "a" &&
        std::any_of(stack_.begin(), stack_.end(), [](const Open& o) { return o.element->name == "a"; }))
      return false;  // libxml2 closes the outer <a>
    apply(element);
    if (!is_void) {
      if (stack_.size() == kMaxDepth) return false;
      stack_.push_back({element});
      if (keeps_line_breaks(element->name)) ++preformatted_depth_;
    }
    pos_ = i + 1;
    return true;
  }

  // A script or style start tag whose name ends at i: its attributes, its content, its end tag.
  bool raw_text(const SimpleElement* element, std::size_t i) {
    if (!any_tag_seen_ && !implied_paragraph_) return false;  // libxml2 would open an implied <head>
    if (!inline_allowed()) return false;
    while (true) {
      const std::size_t blank_start = i;
      while (i < html_.size() && is_html_blank(html_[i])) ++i;
      if (i >= html_.size()) return false;
      if (html_[i] == '>') break;
      if (i == blank_start || !attribute(i)) return false;
    }
    // The content must end at the first "</", with the element's own end tag: libxml2 ends it at the
    // end tag of any open element too ("<p>a<script>x</p>"), and goes on past others.
    const std::string_view name = element->name;
    const std::size_t end = html_.find("</", i + 1);
    if (end == std::string_view::npos || end + 2 + name.size() > html_.size() ||
        !equals_ascii_lowercase(html_.substr(end + 2, name.size()), name))
      return false;
    std::size_t close = end + 2 + name.size();
    while (close < html_.size() && is_html_blank(html_[close])) ++close;
    if (close >= html_.size() || html_[close] != '>') return false;  // "</scripts>" and the like
    pos_ = close + 1;
    return true;
  }

  static bool equals_ascii_lowercase(std::string_view text, std::string_view lower) {
    for (std::size_t k = 0; k < lower.size(); ++k) {
      if (static_cast<char>(text[k] | (is_ascii_letter(text[k]) ? 0x20 : 0)) != lower[k]) return false;
    }
    return true;
  }

  bool attribute(std::size_t& i) {
    if (!is_name_char(html_[i], true)) return false;
    while (i < html_.size() && is_name_char(html_[i], false)) ++i;
    std::size_t j = i;
    while (j < html_.size() && is_html_blank(html_[j])) ++j;
    if (j >= html_.size() || html_[j] != '=') return true;  // no value
    ++j;
    while (j < html_.size() && is_html_blank(html_[j])) ++j;
    if (j >= html_.size() || (html_[j] != '"' && html_[j] != '\'')) return false;
    const char quote = html_[j];
    ++j;
    const std::size_t end = html_.find(quote, j);
    if (end == std::string_view::npos) return false;
    const std::string_view value = html_.substr(j, end - j);
    if (value.find('<') != std::string_view::npos || value.find('>') != std::string_view::npos) return false;
    i = end + 1;
    return true;
  }

  // The element's layout, as collect_text applies it at both its start and its end.
  void apply(const SimpleElement* element) {
    if (element->kind == SimpleKind::inline_element || element->kind == SimpleKind::empty) return;
    apply_layout(simple_elements().layout(element), builder_);
  }

  std::string_view html_;
  std::size_t pos_ = 0;
  TextBuilder builder_;
  std::vector<Open> stack_;
  std::string decoded_;
  bool any_tag_seen_ = false;
  bool any_tag_seen_before_ = false;  // any_tag_seen_ before the tag being read
  bool implied_paragraph_ = false;
  int preformatted_depth_ = 0;  // pre elements open: their text keeps its line breaks
};

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
  // Both paths read sanitised text (libxml2 would read invalid UTF-8 as Latin-1); it is copied only
  // when something needs replacing, which feed text, already converted to UTF-8, rarely has.
  std::string repaired;
  if (first_invalid_utf8(html) != html.size()) {
    repaired = sanitize_utf8(html);
    html = repaired;
  }
  if (has_markup(html)) {
    if (auto text = SimpleMarkupReader(html).read()) return std::move(*text);
    if (TagsOnlyReader(html).read()) return {};
    return markup_to_text(html);
  }
  // Text without a single tag is plain text: its line breaks are kept, and no parser is needed.
  if (html.find('&') == std::string_view::npos) return plain_text_to_text(html);
  return plain_text_to_text(decode_entities(html));
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

// The bytes that may begin white space: ASCII's, and the lead bytes of unicode_space_length's (a
// space added there with a new lead byte goes here too).
constexpr std::array<bool, 256> kMayBeginSpace = [] {
  std::array<bool, 256> table{};
  for (const unsigned char c : {' ', '\t', '\n', '\v', '\f', '\r'}) table[c] = true;
  for (const unsigned char c : {0xC2, 0xE1, 0xE2, 0xE3}) table[c] = true;
  return table;
}();

}  // namespace

std::string collapse_whitespace(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  std::size_t i = 0;
  while (i < text.size()) {
    // The bytes up to the next that may begin white space go in one append, not one push_back each
    // (titles and names are mostly words between single spaces).
    std::size_t end = i;
    while (end < text.size() && !kMayBeginSpace[static_cast<unsigned char>(text[end])]) ++end;
    if (end == i) {
      const char c = text[i];
      const std::size_t space_length =
          c == ' ' || (c >= '\t' && c <= '\r') ? 1 : unicode_space_length(text, i);
      if (space_length > 0) {
        pending_space = true;
        i += space_length;
        continue;
      }
      end = i + 1;  // the lead byte of a character that is not a space
    }
    if (pending_space && !out.empty()) out.push_back(' ');
    pending_space = false;
    out.append(text.data() + i, end - i);
    i = end;
  }
  return out;
}

namespace html_text_paths {

std::optional<std::string> simple_markup_to_text(std::string_view utf8) {
  return SimpleMarkupReader(utf8).read();
}

std::string libxml_markup_to_text(std::string_view html) { return markup_to_text(html); }

bool holds_no_text(std::string_view utf8) { return TagsOnlyReader(utf8).read(); }

}  // namespace html_text_paths

}  // namespace newswatch
