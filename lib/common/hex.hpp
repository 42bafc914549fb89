#pragma once
// Bytes as lowercase hexadecimal, two digits a byte, first byte first: digests, build IDs and cache
// keys are written so.
#include <cstddef>
#include <string>

namespace newswatch {

inline std::string hex_encode(const unsigned char* bytes, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(2 * size, '\0');
  for (std::size_t i = 0; i < size; ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 0xF];
  }
  return out;
}

}  // namespace newswatch
