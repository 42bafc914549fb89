#pragma once
// The hash of a normalised piece, computable straight from ASCII text without first copying and
// lowercasing it: letters and digits are lowercased by setting bit 0x20, which leaves digits alone.
// Private to lib/match.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace newswatch::match_detail {

inline constexpr std::uint64_t kFoldAsciiWord = 0x2020202020202020ull;

// Hash of bytes [p, p + n) with or_mask ORed into every byte (kFoldAsciiWord or 0). May read up to
// available bytes from p (available >= n), which lets the last partial word be one load.
inline std::uint64_t hash_piece(const char* p, std::size_t n, std::size_t available, std::uint64_t or_mask) {
  std::uint64_t h = 0x9E3779B97F4A7C15ull ^ (n * 0xff51afd7ed558ccdull);
  while (n >= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ (w | or_mask)) * 0xbf58476d1ce4e5b9ull;
    h ^= h >> 31;
    p += 8;
    n -= 8;
    available -= 8;
  }
  if (n > 0) {
    const std::uint64_t keep = ~std::uint64_t{0} >> (64 - 8 * n);
    std::uint64_t w = 0;
    if (available >= 8) {
      std::memcpy(&w, p, 8);
      w &= keep;
    } else {
      std::memcpy(&w, p, n);
    }
    h = (h ^ (w | (or_mask & keep))) * 0x94d049bb133111ebull;
  }
  h ^= h >> 29;
  h *= 0xbf58476d1ce4e5b9ull;
  return h ^ (h >> 32);
}

inline std::uint64_t hash_bytes(std::string_view bytes) {
  return hash_piece(bytes.data(), bytes.size(), bytes.size(), 0);
}

}  // namespace newswatch::match_detail
