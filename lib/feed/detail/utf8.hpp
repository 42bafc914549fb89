#pragma once
// Small UTF-8 helpers shared by the feed text modules. Private to lib/feed. Checking and repairing
// UTF-8 is common/utf8.hpp's, shared with the match stage.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/utf8.hpp"

namespace newswatch::detail {

// Appends a Unicode scalar value; surrogates and values past U+10FFFF become U+FFFD.
inline void append_utf8(std::string& out, char32_t cp) {
  if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
    out.append(kReplacementCharacter);
    return;
  }
  char bytes[4];
  out.append(bytes, utf8_encode(cp, bytes));
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

}  // namespace newswatch::detail
