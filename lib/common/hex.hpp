#pragma once
// Bytes as lowercase hexadecimal, two digits a byte, first byte first: digests, build IDs and cache
// keys are written so.
#include <array>
#include <cstddef>
#include <string>

namespace newswatch {

namespace hex_detail {
// Both digits of each byte value: one lookup a byte (an article without a link or id gets a digest
// as its id, about 3,000 in a bench scan).
inline constexpr auto kDigitPairs = [] {
  constexpr char kDigits[] = "0123456789abcdef";
  std::array<std::array<char, 2>, 256> pairs{};
  for (std::size_t b = 0; b < 256; ++b) pairs[b] = {kDigits[b >> 4], kDigits[b & 0xF]};
  return pairs;
}();
}  // namespace hex_detail

inline std::string hex_encode(const unsigned char* bytes, std::size_t size) {
  std::string out(2 * size, '\0');
  for (std::size_t i = 0; i < size; ++i) {
    const std::array<char, 2>& pair = hex_detail::kDigitPairs[bytes[i]];
    out[2 * i] = pair[0];
    out[2 * i + 1] = pair[1];
  }
  return out;
}

}  // namespace newswatch
