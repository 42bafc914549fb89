#pragma once
// Checking and repairing UTF-8, for every stage that hands text on: the feed stage's parser and HTML
// reader, and the match stage's snippets. Well-formed means Unicode 15, table 3-7: shortest forms
// only, no surrogates, nothing past U+10FFFF.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace newswatch {

inline constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";  // U+FFFD

// Length of the well-formed UTF-8 sequence starting at text[pos], or 0 when the bytes there are not
// one (Unicode 15, table 3-7: no overlongs, no surrogates, nothing past U+10FFFF). When 0 is returned,
// *maximal_subpart receives how many bytes form the maximal subpart of the ill-formed sequence (at
// least 1), so that each such subpart becomes exactly one U+FFFD, as the Unicode standard and the
// WHATWG decoder both recommend.
inline std::size_t utf8_sequence_length(std::string_view text, std::size_t pos,
                                        std::size_t* maximal_subpart) {
  const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(text[i]); };
  const std::uint8_t lead = byte(pos);
  std::size_t need = 0;
  std::uint8_t low = 0x80;
  std::uint8_t high = 0xBF;
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) {
    need = 1;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    need = 2;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    need = 3;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    *maximal_subpart = 1;
    return 0;
  }
  for (std::size_t i = 1; i <= need; ++i) {
    const std::uint8_t lo = i == 1 ? low : 0x80;
    const std::uint8_t hi = i == 1 ? high : 0xBF;
    if (pos + i >= text.size() || byte(pos + i) < lo || byte(pos + i) > hi) {
      *maximal_subpart = i;
      return 0;
    }
  }
  return need + 1;
}

// Writes the UTF-8 bytes of cp (at most U+10FFFF) to out, which has room for 4, and returns their count.
// Surrogates are written like any other value below U+10000, as utf8proc_encode_char writes them;
// callers that must not produce them check first.
inline std::size_t utf8_encode(char32_t cp, char* out) {
  const auto byte = [](char32_t value) { return static_cast<char>(static_cast<unsigned char>(value)); };
  if (cp < 0x80) {
    out[0] = byte(cp);
    return 1;
  }
  if (cp < 0x800) {
    out[0] = byte(0xC0 | (cp >> 6));
    out[1] = byte(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = byte(0xE0 | (cp >> 12));
    out[1] = byte(0x80 | ((cp >> 6) & 0x3F));
    out[2] = byte(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = byte(0xF0 | (cp >> 18));
  out[1] = byte(0x80 | ((cp >> 12) & 0x3F));
  out[2] = byte(0x80 | ((cp >> 6) & 0x3F));
  out[3] = byte(0x80 | (cp & 0x3F));
  return 4;
}

// Offset of the first byte that does not start a well-formed sequence, or text.size(). ASCII is
// passed over 32 and 8 bytes at a time: most text is.
std::size_t first_invalid_utf8(std::string_view text);

// Makes arbitrary bytes valid UTF-8, replacing each maximal ill-formed subpart with one U+FFFD
// (Unicode's recommended practice, as WHATWG decoders do). `replaced`, if given, receives the count.
std::string sanitize_utf8(std::string_view bytes, std::size_t* replaced = nullptr);

}  // namespace newswatch
