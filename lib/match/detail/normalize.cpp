#include "match/detail/normalize.hpp"

#include <utf8proc.h>

#include <algorithm>
#include <atomic>
#include <cassert>
#include <memory>
#include <vector>

#include "common/utf8.hpp"

namespace newswatch::match_detail {

namespace {

// classify for a code point whose general category is known.
CharKind classify_in(char32_t cp, int category) {
  // White_Space is exactly Zs, Zl, Zp plus the controls TAB..CR and NEL (Unicode PropList.txt).
  if (cp == '-' || (cp >= 0x2010 && cp <= 0x2015) || (cp >= 0x09 && cp <= 0x0D) || cp == 0x85) {
    return CharKind::kSeparator;
  }
  switch (category) {
    case UTF8PROC_CATEGORY_ZS:
    case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP:
      return CharKind::kSeparator;
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
      return CharKind::kWord;
    default:
      return CharKind::kOther;
  }
}

}  // namespace

CharKind classify(char32_t cp) {
  if (cp > 0x10FFFF) return CharKind::kOther;
  return classify_in(cp, utf8proc_category(static_cast<utf8proc_int32_t>(cp)));
}

namespace {

// Unicode's Hangul syllables, U+AC00..U+D7A3 (SBase and SCount in chapter 3.12 of the standard).
constexpr char32_t kHangulFirstSyllable = 0xAC00;
constexpr char32_t kHangulLastSyllable = 0xD7A3;

bool is_mark_category(int category) {
  return category == UTF8PROC_CATEGORY_MN || category == UTF8PROC_CATEGORY_MC ||
         category == UTF8PROC_CATEGORY_ME;
}

bool is_mark(utf8proc_int32_t cp) { return is_mark_category(utf8proc_category(cp)); }

// Full case folding of one code point that NFKD leaves alone: at most 3 code points.
std::size_t fold_case(utf8proc_int32_t cp, char32_t* out) {
  utf8proc_int32_t folded[3];
  int unused_boundclass = 0;
  const utf8proc_ssize_t folded_length =
      utf8proc_decompose_char(cp, folded, 3, UTF8PROC_CASEFOLD, &unused_boundclass);
  if (folded_length < 0 || folded_length > 3) {
    out[0] = static_cast<char32_t>(cp);
    return 1;
  }
  for (utf8proc_ssize_t j = 0; j < folded_length; ++j) out[j] = static_cast<char32_t>(folded[j]);
  return static_cast<std::size_t>(folded_length);
}

}  // namespace

std::size_t normalize_char(char32_t cp, bool fold, char32_t* out) {
  if (cp > 0x10FFFF) {
    out[0] = cp;
    return 1;
  }
  // Most code points have no decomposition and no case folding: the property record says so, and
  // that answer is a tenth of what the two utf8proc_decompose_char calls below cost (they are most of
  // building a block of the cache, which a scan meets for every script it reads). Hangul syllables
  // have no record entry: they decompose by the arithmetic of the standard's chapter 3.12 into
  // conjoining jamo, letters that neither fold nor are marks. An exhaustive test holds this to the
  // long way for every code point.
  if (cp >= kHangulFirstSyllable && cp <= kHangulLastSyllable) {
    constexpr char32_t kLeadBase = 0x1100, kVowelBase = 0x1161, kTrailBase = 0x11A7;
    constexpr char32_t kVowels = 21, kTrails = 28;
    const char32_t index = cp - kHangulFirstSyllable;
    out[0] = kLeadBase + index / (kVowels * kTrails);
    out[1] = kVowelBase + index % (kVowels * kTrails) / kTrails;
    const char32_t trail = index % kTrails;
    if (trail == 0) return 2;
    out[2] = kTrailBase + trail;
    return 3;
  }
  const auto value = static_cast<utf8proc_int32_t>(cp);
  const utf8proc_property_t* property = utf8proc_get_property(value);
  if (property->decomp_seqindex == UINT16_MAX) {
    if (is_mark_category(property->category)) return 0;
    if (!fold || property->casefold_seqindex == UINT16_MAX) {
      out[0] = cp;
      return 1;
    }
    return fold_case(value, out);
  }
  return normalize_char_by_decomposition(cp, fold, out);
}

std::size_t normalize_char_by_decomposition(char32_t cp, bool fold, char32_t* out) {
  if (cp > 0x10FFFF) {
    out[0] = cp;
    return 1;
  }
  utf8proc_int32_t decomposed[32];
  int unused_boundclass = 0;
  const utf8proc_ssize_t decomposed_length = utf8proc_decompose_char(
      static_cast<utf8proc_int32_t>(cp), decomposed, 32,
      static_cast<utf8proc_option_t>(UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE), &unused_boundclass);
  if (decomposed_length < 0 || decomposed_length > 32) {  // cannot happen for a valid code point
    out[0] = cp;
    return 1;
  }
  std::size_t count = 0;
  for (utf8proc_ssize_t i = 0; i < decomposed_length; ++i) {
    const utf8proc_int32_t part = decomposed[i];
    if (is_mark(part)) continue;
    if (!fold) {
      out[count++] = static_cast<char32_t>(part);
      continue;
    }
    count += fold_case(part, out + count);
  }
  assert(count <= kMaxNormalizedLength);
  return count;
}

namespace {

// The UTF-8 bytes of cp (kInvalidByte as kInvalidByteUtf8) written to out, which has room for 4; their
// count. Encoded in place, as utf8proc_encode_char would (surrogates too): a block of the cache encodes
// 256 code points, and the out-of-line call was a tenth of building one.
std::size_t encode_utf8(char32_t cp, char* out) {
  if (cp > 0x10FFFF) {
    out[0] = kInvalidByteUtf8;
    return 1;
  }
  return utf8_encode(cp, out);
}

}  // namespace

void append_utf8(char32_t cp, std::string& out) {
  char bytes[4];
  out.append(bytes, encode_utf8(cp, bytes));
}

namespace {

constexpr std::size_t kBlockBits = 8;
constexpr std::size_t kBlockSize = std::size_t{1} << kBlockBits;
static_assert(kBlockSize == 256, "NormalizedBlock (normalize.hpp) assumes blocks of 256 code points");
constexpr std::size_t kBlockCount = (std::size_t{kInvalidByte} >> kBlockBits) + 1;  // kInvalidByte too

struct PartBlock {
  std::uint32_t begin[kBlockSize + 1];  // parts of code point (first + i) are parts[begin[i], begin[i + 1])
  std::uint64_t unchanged_letters[kBlockSize / 64] = {};  // bit i: (first + i) is a letter or digit
                                                          // that normalises to itself
  std::uint64_t two_byte_letters[kBlockSize / 64] = {};  // bit i: (first + i) and its normalisation are
                                                         // one letter or digit each, both of two bytes
  std::uint16_t two_byte_normalized[kBlockSize] = {};    // that normalisation's bytes, the first one low
  std::vector<NormalizedPart> parts;
};

// normalize_char(cp, false), and classify of each part: a code point that normalises to itself (most
// do) is classified from the property record that told so, instead of looking it up again.
std::size_t normalize_cased_and_classify(char32_t cp, char32_t* out, CharKind* kinds) {
  if (cp <= 0x10FFFF && (cp < kHangulFirstSyllable || cp > kHangulLastSyllable)) {
    const utf8proc_property_t* property = utf8proc_get_property(static_cast<utf8proc_int32_t>(cp));
    if (property->decomp_seqindex == UINT16_MAX && !is_mark_category(property->category)) {
      out[0] = cp;
      kinds[0] = classify_in(cp, property->category);
      return 1;
    }
  }
  const std::size_t count = normalize_char(cp, false, out);
  for (std::size_t k = 0; k < count; ++k) kinds[k] = classify(out[k]);
  return count;
}

// Fills a block code point by code point, in order.
class BlockWriter {
 public:
  BlockWriter() : block_(new PartBlock) { block_->parts.reserve(kBlockSize); }  // most are one part

  void start(std::size_t i) { block_->begin[i] = static_cast<std::uint32_t>(block_->parts.size()); }
  void add(const NormalizedPart& part) { block_->parts.push_back(part); }
  void add(char32_t normalized, CharKind kind) {
    NormalizedPart part{normalized, kind, 0, {}};
    part.utf8_length = static_cast<std::uint8_t>(encode_utf8(normalized, part.utf8));
    add(part);
  }

  // Marks code point `first + i` for the skip loop, from the parts added since start(i).
  void finish(std::size_t i, char32_t cp) {
    const std::uint32_t begin = block_->begin[i];
    if (block_->parts.size() - begin != 1) return;
    const NormalizedPart& part = block_->parts[begin];
    if (part.kind != CharKind::kWord) return;
    if (part.cp == cp) block_->unchanged_letters[i / 64] |= std::uint64_t{1} << (i % 64);
    const auto two_bytes = [](char32_t c) { return c >= 0x80 && c < 0x800; };
    if (two_bytes(cp) && two_bytes(part.cp)) {
      block_->two_byte_letters[i / 64] |= std::uint64_t{1} << (i % 64);
      block_->two_byte_normalized[i] =
          static_cast<std::uint16_t>((0xC0u | (part.cp >> 6)) | ((0x80u | (part.cp & 0x3Fu)) << 8));
    }
  }

  const PartBlock* take() {
    block_->begin[kBlockSize] = static_cast<std::uint32_t>(block_->parts.size());
    return block_.release();
  }

 private:
  std::unique_ptr<PartBlock> block_;
};

const PartBlock* build_cased_block(char32_t first) {
  BlockWriter writer;
  char32_t normalized[kMaxNormalizedLength];
  CharKind kinds[kMaxNormalizedLength];
  for (std::size_t i = 0; i < kBlockSize; ++i) {
    const char32_t cp = first + static_cast<char32_t>(i);
    writer.start(i);
    const std::size_t count = normalize_cased_and_classify(cp, normalized, kinds);
    for (std::size_t k = 0; k < count; ++k) writer.add(normalized[k], kinds[k]);
    writer.finish(i, cp);
  }
  return writer.take();
}

bool part_folds(const NormalizedPart& part) {
  return part.cp <= 0x10FFFF &&
         utf8proc_get_property(static_cast<utf8proc_int32_t>(part.cp))->casefold_seqindex != UINT16_MAX;
}

// The folded block from the case-kept one: folding a code point's normalisation is folding each of
// its case-kept parts (normalize_char decomposes, drops marks, then folds each part), so the
// decomposition work is done once for both. Most parts have no folding and are copied as they are;
// a block with none that folds (the CJK, Hangul and Kana blocks, most of the blocks a run meets) is
// the case-kept block itself.
const PartBlock* fold_block(const PartBlock& cased, char32_t first) {
  if (std::none_of(cased.parts.begin(), cased.parts.end(), part_folds)) return &cased;
  BlockWriter writer;
  char32_t folded[3];
  for (std::size_t i = 0; i < kBlockSize; ++i) {
    writer.start(i);
    for (std::uint32_t p = cased.begin[i]; p < cased.begin[i + 1]; ++p) {
      const NormalizedPart& part = cased.parts[p];
      if (!part_folds(part)) {
        writer.add(part);
        continue;
      }
      const std::size_t count = fold_case(static_cast<utf8proc_int32_t>(part.cp), folded);
      for (std::size_t k = 0; k < count; ++k) writer.add(folded[k], classify(folded[k]));
    }
    writer.finish(i, first + static_cast<char32_t>(i));
  }
  return writer.take();
}

// The blocks of both normalisations, folded and case-kept, filled in as code points are met. A block
// is published with one atomic store; a thread that loses the race to publish one discards its own.
//
// The cache lives as long as the process and is never torn down: its slots start as zero bytes in the
// program's image (constant initialisation, no code at start-up), and clearing them at exit would only
// fault in the 70 KB of slots that a run never touched.
class PartCache {
 public:
  constexpr PartCache() = default;
  PartCache(const PartCache&) = delete;
  PartCache& operator=(const PartCache&) = delete;

  const PartBlock& block(std::size_t index, bool fold) {
    std::atomic<const PartBlock*>& slot = (fold ? folded_ : cased_)[index];
    const PartBlock* block = slot.load(std::memory_order_acquire);
    if (block != nullptr) return *block;
    const char32_t first = static_cast<char32_t>(index << kBlockBits);
    const PartBlock* cased = fold ? &this->block(index, false) : nullptr;
    const PartBlock* built = fold ? fold_block(*cased, first) : build_cased_block(first);
    if (slot.compare_exchange_strong(block, built, std::memory_order_acq_rel)) return *built;
    if (built != cased) delete built;  // another thread published the same block first
    return *block;
  }

 private:
  std::atomic<const PartBlock*> cased_[kBlockCount]{};
  std::atomic<const PartBlock*> folded_[kBlockCount]{};
};

constinit PartCache part_cache;

}  // namespace

NormalizedBlock normalized_block(char32_t cp, bool fold) {
  if (cp > kInvalidByte) cp = kInvalidByte;  // every invalid value normalises alike
  const PartBlock& block = part_cache.block(cp >> kBlockBits, fold);
  return {block.begin, block.parts.data(), block.unchanged_letters, block.two_byte_letters,
          block.two_byte_normalized};
}

NormalizedParts normalized_parts(char32_t cp, bool fold) {
  if (cp > kInvalidByte) cp = kInvalidByte;
  return normalized_block(cp, fold).of(cp);
}

}  // namespace newswatch::match_detail
