#include "common/utf8.hpp"

#include <cstring>

#include <simdjson.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace newswatch {

std::size_t first_invalid_utf8(std::string_view text) {
  // Below this a call to the vector check costs more than the characters it would spare.
  constexpr std::size_t kVectorCheckMinimum = 64;
  std::size_t pos = 0;
  const std::size_t size = text.size();
  bool checked_rest = false;
  while (pos < size) {
    // ASCII runs are most of any feed: test 32 bytes at a time, then eight.
#if defined(__SSE2__)
    while (pos + 32 <= size) {
      const auto* p = reinterpret_cast<const __m128i*>(text.data() + pos);
      if (_mm_movemask_epi8(_mm_or_si128(_mm_loadu_si128(p), _mm_loadu_si128(p + 1))) != 0) break;
      pos += 32;
    }
#endif
    while (pos + 8 <= size) {
      std::uint64_t chunk;
      std::memcpy(&chunk, text.data() + pos, 8);
      if (chunk & 0x8080808080808080ULL) break;
      pos += 8;
    }
    if (pos >= size) break;
    // Text in other scripts is checked a character at a time below, about fifteen instructions each;
    // simdjson's vector check says at a fraction of a cycle a byte whether the rest is valid at all, and
    // only a rest that is not is walked to find where.
    if (size - pos >= kVectorCheckMinimum && !checked_rest) {
      if (simdjson::validate_utf8(text.data() + pos, size - pos)) return size;
      checked_rest = true;
    }
    std::size_t subpart = 0;
    const std::size_t length = utf8_sequence_length(text, pos, &subpart);
    if (length == 0) return pos;
    pos += length;
  }
  return size;
}

std::string sanitize_utf8(std::string_view bytes, std::size_t* replaced) {
  std::size_t invalid = first_invalid_utf8(bytes);
  if (replaced != nullptr) *replaced = 0;
  if (invalid == bytes.size()) return std::string(bytes);
  std::string out;
  out.reserve(bytes.size() + 16);
  std::size_t pos = 0;
  while (invalid < bytes.size()) {
    out.append(bytes.substr(pos, invalid - pos));
    std::size_t subpart = 1;
    utf8_sequence_length(bytes, invalid, &subpart);
    out.append(kReplacementCharacter);
    if (replaced != nullptr) ++*replaced;
    pos = invalid + subpart;
    invalid = pos + first_invalid_utf8(bytes.substr(pos));
  }
  out.append(bytes.substr(pos));
  return out;
}

}  // namespace newswatch
