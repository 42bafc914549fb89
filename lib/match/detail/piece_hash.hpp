#pragma once
// The hash of a normalised piece, computable straight from ASCII text without first copying and
// lowercasing it: letters and digits are lowercased by setting bit 0x20, which leaves digits alone.
// Private to lib/match.
#include <algorithm>
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
    } else {  // near the end of the text: a byte loop, not a variable-length memcpy call
      for (std::size_t k = 0; k < n; ++k) w |= std::uint64_t{static_cast<unsigned char>(p[k])} << (8 * k);
    }
    h = (h ^ (w | (or_mask & keep))) * 0x94d049bb133111ebull;
  }
  h ^= h >> 29;
  h *= 0xbf58476d1ce4e5b9ull;
  return h ^ (h >> 32);
}

// A cheaper hash for the filters, which every piece of text meets: the length and the first eight
// bytes, one multiply. Longer pieces that share those only cost a false positive. In two steps, so that
// the first eight bytes can be put together elsewhere (from a word's normalised letters) and serve
// both the piece's hash and its head's (quick_hash_of(first, head_length)).
inline std::uint64_t first_eight(const char* p, std::size_t available, std::uint64_t or_mask) {
  std::uint64_t w = 0;
  // Expected, so that the loads of the last few bytes of a text are laid out of the skip loop's way.
  if (__builtin_expect(available >= 8, 1)) {
    std::memcpy(&w, p, 8);
  } else {
    for (std::size_t k = 0; k < available; ++k)
      w |= std::uint64_t{static_cast<unsigned char>(p[k])} << (8 * k);
  }
  return w | or_mask;
}

// quick_hash of a piece of n bytes whose first bytes are w's low ones (bytes past n are ignored).
inline std::uint64_t quick_hash_of(std::uint64_t w, std::size_t n) {
  // The low n bytes, all of them from eight on. Without a branch: word lengths are random, and GCC
  // compiled `n >= 8 ? w : w & mask` into a jump around the mask, mispredicted for about one word in
  // six. The mask's shift is split in two so that eight bytes (a shift by 64) stay defined.
  const std::size_t half = 4 * std::min<std::size_t>(n, 8);
  const std::uint64_t kept = w & (((std::uint64_t{1} << half) << half) - 1);
  // No mixing after the multiply: the filters read the product's middle and top bits (PieceFilter).
  return (kept ^ (n * 0x9E3779B97F4A7C15ull)) * 0xbf58476d1ce4e5b9ull;
}

inline std::uint64_t quick_hash(const char* p, std::size_t n, std::size_t available, std::uint64_t or_mask) {
  return quick_hash_of(first_eight(p, available, or_mask), n);
}

inline std::uint64_t quick_hash(std::string_view bytes) {
  return quick_hash(bytes.data(), bytes.size(), bytes.size(), 0);
}

// Hash of "this piece after that trie node", for the filter of edges leaving partial matches.
inline std::uint64_t edge_hash(std::uint32_t node, std::uint64_t piece_hash) {
  return piece_hash ^ ((node + std::uint64_t{1}) * 0x9E3779B97F4A7C15ull);
}

// Hash of "this piece, then that one", for the filter of terms' first two pieces.
inline std::uint64_t pair_hash(std::uint64_t first_quick, std::uint64_t second_quick) {
  const std::uint64_t h = (first_quick ^ (second_quick * 0x94d049bb133111ebull)) * 0xbf58476d1ce4e5b9ull;
  return h ^ (h >> 29);
}

inline std::uint64_t hash_bytes(std::string_view bytes) {
  return hash_piece(bytes.data(), bytes.size(), bytes.size(), 0);
}

}  // namespace newswatch::match_detail
