#include "match/detail/term_pieces.hpp"

#include <utf8proc.h>

#include "match/detail/normalize.hpp"

namespace newswatch::match_detail {

namespace {

struct NormalizedChar {
  char32_t cp;
  CharKind kind;
};

Result<std::vector<NormalizedChar>, std::string> normalize_term(std::string_view text, bool fold) {
  std::vector<NormalizedChar> chars;
  const auto* bytes = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  std::size_t i = 0;
  while (i < text.size()) {
    utf8proc_int32_t cp = 0;
    const utf8proc_ssize_t length =
        utf8proc_iterate(bytes + i, static_cast<utf8proc_ssize_t>(text.size() - i), &cp);
    if (length <= 0) return std::string("term is not valid UTF-8 at byte ") + std::to_string(i);
    char32_t normalized[kMaxNormalizedLength];
    const std::size_t count = normalize_char(static_cast<char32_t>(cp), fold, normalized);
    for (std::size_t k = 0; k < count; ++k) chars.push_back({normalized[k], classify(normalized[k])});
    i += static_cast<std::size_t>(length);
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
