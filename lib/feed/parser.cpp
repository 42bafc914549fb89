#include "feed/parser.hpp"

#include <algorithm>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "common/sha256.hpp"
#include "feed/date.hpp"
#include "feed/detail/parse_common.hpp"
#include "feed/encoding.hpp"

namespace newswatch {
namespace {

bool is_xml_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view skip_space(std::string_view text) {
  while (!text.empty() && is_xml_space(text.front())) text.remove_prefix(1);
  return text;
}

// An empty body is reported as such, also when it is only a byte order mark and white space.
bool is_blank(std::string_view bytes) {
  for (std::string_view bom : {"\xEF\xBB\xBF", "\xFE\xFF", "\xFF\xFE"}) {
    if (bytes.substr(0, bom.size()) == bom) {
      bytes.remove_prefix(bom.size());
      break;
    }
  }
  for (char c : bytes) {
    if (!is_xml_space(c) && c != '\0') return false;
  }
  return true;
}

bool says_json(std::string_view content_type) { return content_type.find("json") != std::string_view::npos; }

// Counts what the caps cut, and remembers the first cut for the warning's message. Item 0 is the
// feed itself.
class FieldLimiter {
 public:
  explicit FieldLimiter(const ParseLimits& limits) : limits_(limits) {}

  void limit(Feed& feed) {
    if (cut_text(feed.title, limits_.max_title_bytes)) note("title", 0);
    if (drop_long_link(feed.link)) note("link", 0);
    for (std::size_t i = 0; i < feed.articles.size(); ++i) limit(feed.articles[i], i + 1);
  }

  std::size_t count() const { return count_; }
  const std::string& first() const { return first_; }

 private:
  void limit(Article& article, std::size_t item) {
    if (cut_text(article.title, limits_.max_title_bytes)) note("title", item);
    if (cut_text(article.summary, limits_.max_text_bytes)) note("summary", item);
    if (cut_text(article.content, limits_.max_text_bytes)) note("content", item);
    if (drop_long_link(article.link)) note("link", item);
    if (article.id.size() > limits_.max_link_bytes) {
      article.id = sha256_hex(article.id);
      note("id", item);
    }
    cut_names(article.authors, "authors", item);
    cut_names(article.categories, "categories", item);
  }

  void cut_names(std::vector<std::string>& names, const char* what, std::size_t item) {
    if (names.size() > limits_.max_names) {
      names.resize(limits_.max_names);
      note(what, item);
    }
    for (std::string& name : names) {
      if (cut_text(name, limits_.max_title_bytes)) note(what, item);
    }
  }

  static bool cut_text(std::string& text, std::size_t max_bytes) {
    if (text.size() <= max_bytes) return false;
    std::size_t cut = max_bytes;
    // The text is valid UTF-8: step back over continuation bytes to the start of a character.
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text.resize(cut);
    return true;
  }

  bool drop_long_link(std::string& link) const {
    if (link.size() <= limits_.max_link_bytes) return false;
    link.clear();
    return true;
  }

  void note(const char* what, std::size_t item) {
    if (count_++ > 0) return;
    first_ = std::string(what) + (item == 0 ? " of the feed" : " of item " + std::to_string(item));
  }

  const ParseLimits& limits_;
  std::size_t count_ = 0;
  std::string first_;
};

void apply_field_limits(ParsedFeed& parsed, const ParseLimits& limits) {
  FieldLimiter limiter(limits);
  limiter.limit(parsed.feed);
  parsed.fields_truncated = limiter.count();
  if (limiter.count() == 0) return;
  parsed.warnings.push_back(
      {ParseErrorKind::field_truncated,
       std::to_string(limiter.count()) + " fields over their caps were cut, the first: " + limiter.first()});
}

}  // namespace

const char* to_string(ParseErrorKind kind) {
  switch (kind) {
    case ParseErrorKind::empty:
      return "empty";
    case ParseErrorKind::too_large:
      return "too_large";
    case ParseErrorKind::not_a_feed:
      return "not_a_feed";
    case ParseErrorKind::malformed:
      return "malformed";
    case ParseErrorKind::truncated:
      return "truncated";
    case ParseErrorKind::bytes_replaced:
      return "bytes_replaced";
    case ParseErrorKind::unknown_encoding:
      return "unknown_encoding";
    case ParseErrorKind::field_truncated:
      return "field_truncated";
  }
  return "unknown";
}

bool ParsedFeed::malformed() const {
  for (const ParseProblem& problem : warnings) {
    if (problem.kind == ParseErrorKind::malformed) return true;
  }
  return false;
}

namespace {

// Counts bytes equal to any of `targets`, 16 at a time: each vector of comparisons is subtracted
// from byte counters (a match is -1), which are summed every 255 vectors before they can wrap.
// std::count was not vectorised and cost 3 % of parsing.
template <char... kTargets>
std::size_t count_bytes(std::string_view text) {
  const char* p = text.data();
  const std::size_t size = text.size();
  std::size_t count = 0;
  std::size_t i = 0;
#if defined(__SSE2__)
  while (i + 16 <= size) {
    __m128i counters = _mm_setzero_si128();
    for (int round = 0; round < 255 && i + 16 <= size; ++round, i += 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
      const __m128i hits = (_mm_cmpeq_epi8(v, _mm_set1_epi8(kTargets)) | ...);
      counters = _mm_sub_epi8(counters, hits);
    }
    const __m128i sums = _mm_sad_epu8(counters, _mm_setzero_si128());
    count += static_cast<std::size_t>(_mm_cvtsi128_si64(sums)) +
             static_cast<std::size_t>(_mm_cvtsi128_si64(_mm_unpackhi_epi64(sums, sums)));
  }
#endif
  for (; i < size; ++i) count += static_cast<std::size_t>(((p[i] == kTargets) || ...));
  return count;
}

std::size_t count_xml_markup(std::string_view text) { return count_bytes<'<'>(text); }

std::size_t count_json_values(std::string_view text) { return count_bytes<',', '[', '{'>(text); }

// parse_feed, with the bytes' owner when the caller gave them up (`owned`, else null).
Result<ParsedFeed, ParseProblem> parse_document(std::string_view bytes, std::string* owned,
                                                std::string_view content_type, std::string_view feed_url,
                                                const ParseLimits& limits) {
  if (bytes.size() > limits.max_bytes) {
    return ParseProblem{ParseErrorKind::too_large, "document has " + std::to_string(bytes.size()) +
                                                       " bytes, the limit is " +
                                                       std::to_string(limits.max_bytes)};
  }
  if (is_blank(bytes)) return ParseProblem{ParseErrorKind::empty, "document is empty"};

  const DetectedEncoding encoding = detect_encoding(bytes, content_type);
  // `bytes` views `owned`, which to_utf8 may take: it is not read after this.
  Utf8Text utf8 = owned != nullptr ? to_utf8_owned(std::move(*owned), encoding) : to_utf8(bytes, encoding);
  std::vector<ParseProblem> encoding_warnings;
  if (utf8.unknown_encoding) {
    encoding_warnings.push_back(
        {ParseErrorKind::unknown_encoding, "unknown encoding " + encoding.name + ", read as UTF-8"});
  }
  if (utf8.replaced > 0) {
    encoding_warnings.push_back({ParseErrorKind::bytes_replaced, std::to_string(utf8.replaced) +
                                                                     " byte sequences invalid in " +
                                                                     encoding.name + " replaced by U+FFFD"});
  }

  const std::string_view start = skip_space(utf8.text);
  const bool json = start.empty() ? says_json(content_type) : (start.front() == '{' || start.front() == '[');
  // Counted before any tree is built: the count is one vectorised pass, the tree is the cost.
  const std::size_t markup = json ? count_json_values(utf8.text) : count_xml_markup(utf8.text);
  if (markup > limits.max_markup) {
    return ParseProblem{ParseErrorKind::too_large,
                        "document has " + std::to_string(markup) + (json ? " JSON values" : " XML tags") +
                            ", the limit is " + std::to_string(limits.max_markup)};
  }
  auto result = json ? detail::read_json_feed(utf8.text, feed_url, limits)
                     : detail::read_xml_feed(std::move(utf8.text), feed_url, limits);
  if (result.ok()) apply_field_limits(*result, limits);
  if (result.ok() && !encoding_warnings.empty()) {
    auto& warnings = result->warnings;
    warnings.insert(warnings.begin(), encoding_warnings.begin(), encoding_warnings.end());
  }
  return result;
}

}  // namespace

Result<ParsedFeed, ParseProblem> parse_feed(std::string_view bytes, std::string_view content_type,
                                            std::string_view feed_url, const ParseLimits& limits) {
  return parse_document(bytes, nullptr, content_type, feed_url, limits);
}

Result<ParsedFeed, ParseProblem> parse_owned_feed(std::string bytes, std::string_view content_type,
                                                  std::string_view feed_url, const ParseLimits& limits) {
  return parse_document(bytes, &bytes, content_type, feed_url, limits);
}

namespace detail {

void finish_article(Article& article) {
  if (article.id.empty()) article.id = article.link;
  if (article.id.empty()) {
    std::string basis = article.title;
    basis.push_back('\n');
    if (article.published) basis += format_rfc3339(*article.published);
    // Items with neither (RSS 0.92 allows it) would all share one id; their text tells them apart.
    if (article.title.empty() && !article.published) basis.append(article.summary).append(article.content);
    article.id = sha256_hex(basis);
  }
  if (!article.content.empty() && article.content == article.summary) article.content.clear();
}

void add_unique(std::vector<std::string>& list, std::string value, std::size_t keep) {
  if (value.empty() || list.size() >= keep) return;
  for (const std::string& existing : list) {
    if (existing == value) return;
  }
  list.push_back(std::move(value));
}

void locate(std::string_view text, std::size_t offset, std::size_t& line, std::size_t& column) {
  if (offset > text.size()) offset = text.size();
  line = 1;
  column = 1;
  for (std::size_t i = 0; i < offset; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n' || (c == '\r' && (i + 1 >= text.size() || text[i + 1] != '\n'))) {
      ++line;
      column = 1;
    } else if ((c & 0xC0) != 0x80 && c != '\r') {
      ++column;  // continuation bytes belong to the character already counted
    }
  }
}

}  // namespace detail
}  // namespace newswatch
