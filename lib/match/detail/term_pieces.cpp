#include "match/detail/term_pieces.hpp"

#include "match/detail/normalize.hpp"

namespace newswatch::match_detail {

namespace {

struct NormalizedChar {
  char32_t cp;
  CharKind kind;
};

// Through the same per-code-point cache as the text scanner (normalize.hpp): compiling 10,000 terms
// spent most of its time in utf8proc otherwise.
Result<std::vector<NormalizedChar>, std::string> normalize_term(std::string_view text, bool fold) {
  std::vector<NormalizedChar> chars;
  chars.reserve(text.size());
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  std::size_t i = 0;
  while (i < text.size()) {
    char32_t cp = 0;
    const std::size_t length = decode_utf8(bytes + i, text.size() - i, cp);
    if (length == 0) return std::string("term is not valid UTF-8 at byte ") + std::to_string(i);
    const NormalizedParts parts = normalized_parts(cp, fold);
    for (const NormalizedPart* part = parts.begin; part != parts.end; ++part)
      chars.push_back({part->cp, part->kind});
    i += length;
  }
  return chars;
}

}  // namespace

Result<ParsedTerm, std::string> parse_term(std::string_view text, bool fold) {
  if (text.empty()) return std::string("term is empty");
  auto normalized = normalize_term(text, fold);
  if (!normalized) return normalized.error();
  std::vector<NormalizedChar>& chars = normalized.value();
  if (chars.empty()) return std::string("term has no characters after normalisation");

  while (!chars.empty() && chars.back().kind == CharKind::kSeparator) chars.pop_back();
  std::size_t first = 0;
  while (first < chars.size() && chars[first].kind == CharKind::kSeparator) ++first;
  if (first == chars.size()) {
    return std::string("term is only separators");
  }

  ParsedTerm term;
  if (chars.back().cp == U'*') {
    term.wildcard = true;
    chars.pop_back();
    if (chars.size() == first) return std::string("term is only '*'");
    if (chars.back().kind == CharKind::kSeparator) return std::string("'*' must directly follow a word");
  }

  bool separator_before = false;
  for (std::size_t i = first; i < chars.size(); ++i) {
    const NormalizedChar& c = chars[i];
    if (c.kind == CharKind::kSeparator) {
      separator_before = true;
      continue;
    }
    const bool extends_word_piece = c.kind == CharKind::kWord && !separator_before && !term.pieces.empty() &&
                                    term.pieces.back().word && chars[i - 1].kind == CharKind::kWord;
    if (!extends_word_piece) {
      term.pieces.push_back({std::string(), c.kind == CharKind::kWord, separator_before});
    }
    append_utf8(c.cp, term.pieces.back().normalized);
    separator_before = false;
  }
  return term;
}

}  // namespace newswatch::match_detail
