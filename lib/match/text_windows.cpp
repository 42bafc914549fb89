#include "match/text_windows.hpp"

#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "common/utf8.hpp"
#include "match/detail/normalize.hpp"

namespace newswatch {
namespace {

constexpr utf8proc_int32_t kInvalid = -1;

struct Decoded {
  utf8proc_int32_t cp;  // kInvalid for a byte that starts no valid sequence
  std::size_t length;
};

Decoded decode_at(std::string_view text, std::size_t pos) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data() + pos);
  char32_t cp = 0;
  const std::size_t n = match_detail::decode_utf8(bytes, text.size() - pos, cp);
  if (n == 0) return {kInvalid, 1};
  return {static_cast<utf8proc_int32_t>(cp), n};
}

bool is_white_space(utf8proc_int32_t cp) {
  if (cp == kInvalid) return false;
  if (cp == ' ' || (cp >= 0x09 && cp <= 0x0D) || cp == 0x85) return true;
  if (cp < 0x80) return false;
  const auto category = utf8proc_category(cp);
  return category == UTF8PROC_CATEGORY_ZS || category == UTF8PROC_CATEGORY_ZL ||
         category == UTF8PROC_CATEGORY_ZP;
}

// The term semantics' word separators (see term_matcher.hpp).
bool is_separator(utf8proc_int32_t cp) {
  return is_white_space(cp) || cp == '-' || (cp >= 0x2010 && cp <= 0x2015);
}

bool is_letter_or_digit(utf8proc_int32_t cp) {
  if (cp == kInvalid) return false;
  if (cp < 0x80) return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9');
  switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
      return true;
    default:
      return false;
  }
}

bool is_line_break(utf8proc_int32_t cp) { return cp == '\n' || cp == '\r' || cp == 0x2028 || cp == 0x2029; }

bool is_terminator(utf8proc_int32_t cp) { return cp == '.' || cp == '!' || cp == '?' || cp == 0x2026; }

bool is_closer(utf8proc_int32_t cp) {
  return cp == '"' || cp == '\'' || cp == ')' || cp == ']' || cp == 0x201D || cp == 0x2019 || cp == 0x00BB ||
         cp == 0x201C;
}

TextSpan trimmed(std::string_view text, std::size_t start, std::size_t end) {
  while (start < end) {
    const Decoded d = decode_at(text, start);
    if (!is_white_space(d.cp)) break;
    start += d.length;
  }
  while (end > start) {
    std::size_t back = end - 1;
    while (back > start && (static_cast<unsigned char>(text[back]) & 0xC0) == 0x80) --back;
    const Decoded d = decode_at(text, back);
    if (!is_white_space(d.cp) || back + d.length != end) break;
    end = back;
  }
  return {start, end};
}

// Titles and ranks that newswire copy abbreviates before names, and months before dates.
constexpr std::array<std::string_view, 40> kAbbreviations = {
    "Mr",   "Mrs", "Ms",  "Dr",  "Prof", "Gen", "Lt",  "Col", "Maj",  "Capt", "Cmdr", "Cdr", "Sgt", "Adm",
    "Brig", "Cpl", "Pvt", "Gov", "Sen",  "Rep", "Rev", "Hon", "Pres", "St",   "Jr",   "Sr",  "Mt",  "Ft",
    "No",   "vs",  "etc", "Inc", "Corp", "Ltd", "Co",  "Jan", "Feb",  "Aug",  "Sept", "Oct"};
constexpr std::array<std::string_view, 6> kMoreAbbreviations = {"Sep", "Nov", "Dec", "Apr", "Mar", "Jun"};

bool is_abbreviation(std::string_view word) {
  if (word.size() == 1) return true;  // an initial, or a part of "U.S." / "U.K."
  return std::find(kAbbreviations.begin(), kAbbreviations.end(), word) != kAbbreviations.end() ||
         std::find(kMoreAbbreviations.begin(), kMoreAbbreviations.end(), word) != kMoreAbbreviations.end();
}

// The ASCII letters just before `period` (a word like "Gen"; non-ASCII words are never abbreviations).
std::string_view word_before(std::string_view text, std::size_t from, std::size_t period) {
  std::size_t start = period;
  while (start > from) {
    const unsigned char c = static_cast<unsigned char>(text[start - 1]);
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) break;
    --start;
  }
  if (start > from && static_cast<unsigned char>(text[start - 1]) >= 0x80) return {};
  return text.substr(start, period - start);
}

bool next_word_continues_sentence(std::string_view text, std::size_t pos, std::size_t end) {
  while (pos < end) {
    const Decoded d = decode_at(text, pos);
    if (!is_white_space(d.cp)) {
      if (d.cp == kInvalid) return false;
      const auto category = utf8proc_category(d.cp);
      return category == UTF8PROC_CATEGORY_LL || category == UTF8PROC_CATEGORY_ND;
    }
    pos += d.length;
  }
  return false;
}

void split_paragraph_into_sentences(std::string_view text, TextSpan paragraph, std::vector<TextSpan>& out) {
  std::size_t sentence_start = paragraph.start;
  std::size_t pos = paragraph.start;
  while (pos < paragraph.end) {
    const Decoded d = decode_at(text, pos);
    if (!is_terminator(d.cp)) {
      pos += d.length;
      continue;
    }
    const std::size_t terminator = pos;
    bool only_a_period = d.cp == '.';
    pos += d.length;
    while (pos < paragraph.end) {
      const Decoded next = decode_at(text, pos);
      if (is_terminator(next.cp)) {
        only_a_period = false;
      } else if (!is_closer(next.cp)) {
        break;
      }
      pos += next.length;
    }
    const bool at_break = pos == paragraph.end || is_white_space(decode_at(text, pos).cp);
    if (!at_break) continue;
    if (only_a_period && is_abbreviation(word_before(text, sentence_start, terminator))) continue;
    if (only_a_period && next_word_continues_sentence(text, pos, paragraph.end)) continue;
    const TextSpan sentence = trimmed(text, sentence_start, pos);
    if (sentence.start < sentence.end) out.push_back(sentence);
    sentence_start = pos;
  }
  const TextSpan last = trimmed(text, sentence_start, paragraph.end);
  if (last.start < last.end) out.push_back(last);
}

}  // namespace

std::vector<TextSpan> split_paragraphs(std::string_view text) {
  std::vector<TextSpan> paragraphs;
  std::size_t line_start = 0;
  std::size_t pos = 0;
  auto close_line = [&](std::size_t line_end) {
    const TextSpan line = trimmed(text, line_start, line_end);
    if (line.start < line.end) paragraphs.push_back(line);
  };
  while (pos < text.size()) {
    const Decoded d = decode_at(text, pos);
    if (is_line_break(d.cp)) {
      close_line(pos);
      line_start = pos + d.length;
    }
    pos += d.length;
  }
  close_line(text.size());
  return paragraphs;
}

std::vector<TextSpan> split_sentences(std::string_view text) {
  return split_sentences(text, split_paragraphs(text));
}

std::vector<TextSpan> split_sentences(std::string_view text, const std::vector<TextSpan>& paragraphs) {
  std::vector<TextSpan> sentences;
  for (const TextSpan& paragraph : paragraphs) split_paragraph_into_sentences(text, paragraph, sentences);
  return sentences;
}

WordIndex::WordIndex(std::string_view text) {
  std::size_t run_start = 0;
  bool in_run = false;
  bool run_has_letter = false;
  for (std::size_t pos = 0; pos < text.size();) {
    const Decoded d = decode_at(text, pos);
    if (is_separator(d.cp)) {
      if (in_run && run_has_letter) word_starts_.push_back(run_start);
      in_run = false;
    } else {
      if (!in_run) {
        in_run = true;
        run_start = pos;
        run_has_letter = false;
      }
      run_has_letter = run_has_letter || is_letter_or_digit(d.cp);
    }
    pos += d.length;
  }
  if (in_run && run_has_letter) word_starts_.push_back(run_start);
}

std::size_t WordIndex::word_at(std::size_t offset) const {
  const auto after = std::upper_bound(word_starts_.begin(), word_starts_.end(), offset);
  if (after == word_starts_.begin()) return 0;
  return static_cast<std::size_t>(after - word_starts_.begin()) - 1;
}

std::string_view utf8_prefix(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut);
}


namespace {

bool is_ascii_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

std::size_t snap_to_sequence_start(std::string_view text, std::size_t pos) {
  while (pos < text.size() && (static_cast<unsigned char>(text[pos]) & 0xC0) == 0x80) ++pos;
  return pos;
}

struct Collapsed {
  char* end;   // one past the last byte written
  bool ascii;  // no byte >= 0x80 was copied
};

// Copies `in` to `out` with every run of ASCII white space written as one space; out has room for
// in.size() bytes. Every match of every alert gets a snippet, so this runs often: sixteen bytes at a
// time it finds the bytes that need more than a copy (white space other than a space after a
// non-space), and most blocks are copied whole.
Collapsed collapse_white_space(std::string_view in, char* out) {
  const char* bytes = in.data();
  const std::size_t size = in.size();
  std::size_t i = 0;
  unsigned high_bits = 0;
  // Byte by byte, for the blocks that need it and for the tail; after_white: the byte before i is
  // white space.
  const auto one_by_one = [&](std::size_t end, bool after_white) {
    for (; i < end; ++i) {
      const char c = bytes[i];
      const bool white = is_ascii_space(c);
      high_bits |= static_cast<unsigned char>(c) & 0x80u;
      *out = white ? ' ' : c;
      out += !(white && after_white);
      after_white = white;
    }
  };
#if defined(__SSE2__)
  const __m128i space = _mm_set1_epi8(' ');
  const __m128i before_tab = _mm_set1_epi8(0x08), after_cr = _mm_set1_epi8(0x0E);
  unsigned carry = 0;  // 1: the byte before the block is white space
  while (i + 16 <= size) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes + i));
    // Signed compares: bytes >= 0x80 are below the tab.
    const auto spaces = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, space)));
    const auto controls = static_cast<unsigned>(
        _mm_movemask_epi8(_mm_and_si128(_mm_cmpgt_epi8(v, before_tab), _mm_cmplt_epi8(v, after_cr))));
    const unsigned white = spaces | controls;
    const unsigned needs_work = controls | (spaces & ((white << 1) | carry));
    if (needs_work == 0) {
      high_bits |= static_cast<unsigned>(_mm_movemask_epi8(v));
      std::memcpy(out, bytes + i, 16);
      out += 16;
      i += 16;
    } else {
      one_by_one(i + 16, carry != 0);
    }
    carry = (white >> 15) & 1u;
  }
#endif
  one_by_one(size, i > 0 && is_ascii_space(bytes[i - 1]));
  return {out, high_bits == 0};
}

}  // namespace

std::string make_snippet(std::string_view text, std::size_t start, std::size_t end, std::size_t width) {
  start = std::min(start, text.size());
  end = std::clamp(end, start, text.size());
  const std::size_t match_length = std::min(end - start, width);
  const std::size_t context = width - match_length;
  // Centre the match; context the text lacks on one side goes to the other.
  std::size_t left = std::min(start, context / 2);
  const std::size_t right = std::min(text.size() - end, context - left);
  left = std::min(start, context - right);
  std::size_t from = start - left;
  std::size_t to = end + right;
  // Cut at word boundaries: drop the partial word at each edge unless that would eat into the match.
  if (from > 0 && !is_ascii_space(text[from - 1])) {
    std::size_t next_space = from;
    while (next_space < start && !is_ascii_space(text[next_space])) ++next_space;
    if (next_space < start) from = next_space;
  }
  if (to < text.size() && !is_ascii_space(text[to])) {
    std::size_t last_space = to;
    while (last_space > end && !is_ascii_space(text[last_space - 1])) --last_space;
    if (last_space > end) to = last_space;
  }
  from = snap_to_sequence_start(text, from);
  to = std::max(from, snap_to_sequence_start(text, to));
  // The window may start or end inside a run of white space: a snippet does neither.
  std::string_view slice = text.substr(from, to - from);
  while (!slice.empty() && is_ascii_space(slice.front())) slice.remove_prefix(1);
  while (!slice.empty() && is_ascii_space(slice.back())) slice.remove_suffix(1);
  std::string snippet;
  snippet.reserve(slice.size() + 6);
  if (from > 0) snippet += "…";
  const std::size_t body = snippet.size();
  snippet.resize(body + slice.size());
  const Collapsed collapsed = collapse_white_space(slice, snippet.data() + body);
  snippet.resize(static_cast<std::size_t>(collapsed.end - snippet.data()));
  if (!collapsed.ascii) {
    // Checked in place; copied only in the rare case that the text was not valid UTF-8.
    const std::string_view written = std::string_view(snippet).substr(body);
    if (first_invalid_utf8(written) != written.size()) snippet = snippet.substr(0, body) + sanitize_utf8(written);
  }
  if (to < text.size()) snippet += "…";
  return snippet;
}

}  // namespace newswatch
