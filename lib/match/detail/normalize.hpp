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

// Appends the UTF-8 encoding of cp (kInvalidByte as kInvalidByteUtf8).
void append_utf8(char32_t cp, std::string& out);

}  // namespace newswatch::match_detail
