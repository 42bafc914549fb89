#pragma once
// Small UTF-8 helpers shared by the feed text modules. Private to lib/feed.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace newswatch::detail {

inline constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";  // U+FFFD

// Appends a Unicode scalar value; surrogates and values past U+10FFFF become U+FFFD.
inline void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp >= 0xD800 && cp <= 0xDFFF) {
    out.append(kReplacementCharacter);
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp <= 0x10FFFF) {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.append(kReplacementCharacter);
  }
}

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

// Decodes the scalar value of a sequence already known to be well formed.
inline char32_t decode_utf8(std::string_view text, std::size_t pos, std::size_t length) {
  const auto byte = [&](std::size_t i) {
    return static_cast<char32_t>(static_cast<std::uint8_t>(text[pos + i]));
  };
  switch (length) {
    case 1:
      return byte(0);
    case 2:
      return ((byte(0) & 0x1F) << 6) | (byte(1) & 0x3F);
    case 3:
      return ((byte(0) & 0x0F) << 12) | ((byte(1) & 0x3F) << 6) | (byte(2) & 0x3F);
    default:
      return ((byte(0) & 0x07) << 18) | ((byte(1) & 0x3F) << 12) | ((byte(2) & 0x3F) << 6) | (byte(3) & 0x3F);
  }
}

// Offset of the first byte that does not start a well-formed sequence, or text.size().
std::size_t first_invalid_utf8(std::string_view text);

}  // namespace newswatch::detail
