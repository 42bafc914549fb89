#pragma once
// Character-level normalisation shared by term compilation and text scanning, so that both sides of a
// comparison are produced by the very same code: NFKD, then combining marks (Mn, Mc, Me) dropped, then
// (unless matching case) full case folding. Private to lib/match.
//
// Normalising character by character equals normalising the whole string: NFKD decomposes each code
// point independently, and canonical reordering only moves combining marks, which are dropped anyway.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace newswatch::match_detail {

// What a normalised character is for the matching rules.
enum class CharKind : std::uint8_t {
  kWord,       // a letter or digit (Unicode L*, N*): may not touch either end of a match
  kSeparator,  // Unicode White_Space, '-', U+2010..U+2015: joins the words of a term
  kOther,      // anything else (punctuation, symbols, an invalid byte): may be part of a word
};

// Stands for one byte of invalid UTF-8 in a text. Outside Unicode, so it is kOther and no term can
// contain it.
inline constexpr char32_t kInvalidByte = 0x110000;
// Its normalised UTF-8 form: a byte that valid UTF-8 never contains, so it never equals a term piece.
inline constexpr char kInvalidByteUtf8 = '\xFF';

CharKind classify(char32_t cp);

// Enough for any code point: the longest NFKD expansion is 18 code points (U+FDFA), and full case
// folding expands one code point to at most 3.
inline constexpr std::size_t kMaxNormalizedLength = 18 * 3;

// Writes the normalisation of one code point into out (kMaxNormalizedLength entries) and returns how
// many code points it has; 0 for a combining mark. kInvalidByte normalises to itself.
std::size_t normalize_char(char32_t cp, bool fold, char32_t* out);
// The same by utf8proc's decomposition calls alone, with no shortcut: the reference for a test.
std::size_t normalize_char_by_decomposition(char32_t cp, bool fold, char32_t* out);

// Appends the UTF-8 encoding of cp (kInvalidByte as kInvalidByteUtf8).
void append_utf8(char32_t cp, std::string& out);

// Decodes the UTF-8 sequence at p (available >= 1 bytes readable) exactly as utf8proc_iterate judges
// it — shortest form only, no surrogates, nothing above U+10FFFF — and returns its length, or 0 when
// the bytes at p start no valid sequence. Inline because every non-ASCII character of every text
// passes here; utf8proc_iterate is an out-of-line call that cost 13 % of the matcher's time.
inline std::size_t decode_utf8(const unsigned char* p, std::size_t available, char32_t& cp) {
  const unsigned lead = p[0];
  if (lead < 0x80) {
    cp = lead;
    return 1;
  }
  auto continuation = [&](std::size_t k) { return k < available && (p[k] & 0xC0) == 0x80; };
  if (lead < 0xC2 || lead > 0xF4) return 0;
  if (lead < 0xE0) {
    if (!continuation(1)) return 0;
    cp = ((lead & 0x1Fu) << 6) | (p[1] & 0x3Fu);
    return 2;
  }
  if (lead < 0xF0) {
    if (!continuation(1) || !continuation(2)) return 0;
    if (lead == 0xED && p[1] > 0x9F) return 0;  // a surrogate
    const char32_t value = ((lead & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
    if (value < 0x800) return 0;  // overlong
    cp = value;
    return 3;
  }
  if (!continuation(1) || !continuation(2) || !continuation(3)) return 0;
  if ((lead == 0xF0 && p[1] < 0x90) || (lead == 0xF4 && p[1] > 0x8F)) return 0;
  cp = ((lead & 0x07u) << 18) | ((p[1] & 0x3Fu) << 12) | ((p[2] & 0x3Fu) << 6) | (p[3] & 0x3Fu);
  return 4;
}

// One character of a normalised code point, ready for the scanner: its kind and its UTF-8 bytes.
struct NormalizedPart {
  char32_t cp;
  CharKind kind;
  std::uint8_t utf8_length;
  char utf8[4];

  std::string_view bytes() const { return {utf8, utf8_length}; }
};

// normalize_char and classify of one code point, remembered: utf8proc's decomposition, category and
// case-folding calls cost more than everything else the scanner does per character, and a text uses
// few distinct code points. Computed per block of 256 code points on first use and kept for the life
// of the process. Thread-safe: a block is published with one atomic store, and a thread that loses
// the race to publish it discards its own copy.
struct NormalizedParts {
  const NormalizedPart* begin;
  const NormalizedPart* end;
};
NormalizedParts normalized_parts(char32_t cp, bool fold);

// One block of that cache: the parts of the 256 code points that share cp >> 8. A scanner meets many
// characters of one script in a row, so it keeps the block at hand instead of asking for each.
struct NormalizedBlock {
  const std::uint32_t* begin;   // parts of the code point at offset i: parts[begin[i], begin[i + 1])
  const NormalizedPart* parts;
  const std::uint64_t* unchanged_letters;  // 256 bits: a letter or digit whose normalisation is itself
  // For the skip loop, which hashes words of two-byte letters straight from the text (Cyrillic, Greek):
  // 256 bits, a code point of two UTF-8 bytes whose normalisation is one letter or digit of two bytes
  // (the unchanged ones, and most capitals: "Р" -> "р", "й" -> "и"); and those two bytes, first one low.
  const std::uint64_t* two_byte_letters;
  const std::uint16_t* two_byte_normalized;

  NormalizedParts of(char32_t cp) const {
    const std::size_t offset = cp & 0xFF;
    return {parts + begin[offset], parts + begin[offset + 1]};
  }
  bool unchanged_letter(char32_t cp) const {
    const std::size_t offset = cp & 0xFF;
    return (unchanged_letters[offset / 64] >> (offset % 64)) & 1;
  }
};
NormalizedBlock normalized_block(char32_t cp, bool fold);

}  // namespace newswatch::match_detail
