#pragma once
// Cuts a text into the pieces that terms are compared by, normalising as it goes. Private to lib/match.
//
// A piece is a maximal run of normalised letters and digits (a "word piece"), or one normalised
// character that is neither letter, digit nor separator (an "other piece"); separators only join
// pieces. A term's words are cut the same way, so a term matches exactly where its pieces equal
// consecutive text pieces with the same joins (adjacent inside a word, separated between words),
// the first piece may start a match and the last may end one. Word pieces are maximal, so a word piece
// never has a letter or digit right beside it; only other pieces need that checked.
//
// Most news text is ASCII, whose normalisation is at most lowercasing, and most of its words start
// no term. So while no partial match is open, the scanner classifies 64 bytes at a time and asks the
// sink only about the starts of words (hashed straight from the text, never copied), passing over
// common typographic punctuation too; the first piece that may start a match, or other non-ASCII
// text, goes down the piece-by-piece path. ASCII pieces there are hashed from the text as well;
// other characters are normalised through a per-code-point cache of utf8proc's answers
// (normalize.hpp). Non-English text is mostly two-byte letters (Cyrillic, Greek, accented Latin), and
// most of those (lowercase) normalise to themselves: runs of them are passed over in a tight loop and
// copied to the piece whole, and non-ASCII symbols that no term starts with are not made into pieces.
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "match/detail/normalize.hpp"
#include "match/detail/piece_hash.hpp"

namespace newswatch::match_detail {

struct Piece {
  std::string_view normalized;  // normalised UTF-8; only valid during the callback
  std::uint64_t hash;           // hash_bytes(normalized)
  std::size_t start;            // original byte offset of the piece's first character
  std::size_t end;              // original byte offset past its last character and any marks after it
  bool word;                    // letters and digits, or one other character
  bool after_separator;         // at least one separator between this piece and the previous one
  bool may_start;               // begins a character, and no letter or digit is just before it
  bool may_end;                 // ends a character, and no letter or digit is just after it
};

// What follows a piece, as far as the filters need it.
struct FollowingPiece {
  bool exists;         // false at the end of the text
  bool known;          // false when the next piece is not plain ASCII (it is then not described)
  std::uint64_t quick;  // quick_hash of the next piece's normalised bytes
};

enum class ByteClass : std::uint8_t { kSeparator, kWord, kOther, kNonAscii };

struct ByteTables {
  std::array<ByteClass, 256> kind{};
  std::array<char, 256> folded{};
  constexpr ByteTables() {
    for (int b = 0; b < 256; ++b) {
      const bool upper = b >= 'A' && b <= 'Z';
      const bool word = upper || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9');
      const bool separator = b == ' ' || b == '-' || (b >= 0x09 && b <= 0x0D);
      kind[b] = b >= 0x80   ? ByteClass::kNonAscii
                : word      ? ByteClass::kWord
                : separator ? ByteClass::kSeparator
                            : ByteClass::kOther;
      folded[b] = static_cast<char>(upper ? b + ('a' - 'A') : b);
    }
  }
};
inline constexpr ByteTables kBytes{};

// Calls sink(const Piece&) for every piece of text that may matter, in order, after asking
// sink.wants_ascii<kFold>(quick_hash, ...) about each ASCII piece (and wants_ascii<false> about each
// normalised piece, whose bytes need no fold mask). kFold selects the case-folded stream or
// the case-preserving one (for match_case terms). scratch is reused working memory.
template <bool kFold, typename Sink>
class PieceScanner {
 public:
  PieceScanner(std::string_view text, std::string& scratch, Sink& sink)
      : text_(text), buffer_(scratch), sink_(sink) {
    buffer_.clear();
  }

  void run() {
    const char* const data = text_.data();
    const auto* bytes = reinterpret_cast<const unsigned char*>(data);
    const std::size_t size = text_.size();
    std::size_t i = 0;
    while (i < size) {
      if (open_ == Open::kNone && sink_.idle() && bytes[i] < 0x80) {
        const std::size_t j = skip_irrelevant(bytes, i, size);
        if (j != i) {
          // [i, j) was ASCII or common punctuation: the character before j says how the next piece
          // is joined.
          const CharKind before = kind_before(bytes, j);
          separator_pending_ = before == CharKind::kSeparator;
          last_kind_ = before;
          i = j;
          if (i == size) break;
        }
      }
      switch (kBytes.kind[bytes[i]]) {
        case ByteClass::kSeparator:
          separator();
          ++i;
          break;
        case ByteClass::kWord: {
          const std::size_t j = ascii_word_end(bytes, i + 1, size);
          if (open_ == Open::kOther) close(true);
          if (open_ == Open::kNone && (j == size || bytes[j] < 0x80)) {
            // A whole piece of ASCII: nothing before it is a letter (open_ would be a word), and the
            // byte after it is not one.
            ascii_piece(i, j, true, true, true);
            last_kind_ = CharKind::kWord;
          } else {
            if (open_ != Open::kWord) begin_piece(Open::kWord, i, true);
            for (std::size_t k = i; k < j; ++k) buffer_.push_back(kFold ? kBytes.folded[bytes[k]] : data[k]);
            end_ = j;
            last_ends_char_ = true;
            last_kind_ = CharKind::kWord;
          }
          i = j;
          break;
        }
        case ByteClass::kOther:
          if (i + 1 == size || bytes[i + 1] < 0x80) {
            const bool word_before = last_kind_ == CharKind::kWord;
            close(false);
            const bool word_after = i + 1 < size && kBytes.kind[bytes[i + 1]] == ByteClass::kWord;
            ascii_piece(i, i + 1, false, !word_before, !word_after);
            last_kind_ = CharKind::kOther;
          } else {
            other(i, i + 1, true, true);
            buffer_.push_back(data[i]);
          }
          ++i;
          break;
        case ByteClass::kNonAscii:
          i = non_ascii_word_run(bytes, i);
          break;
      }
    }
    close(false);
  }

 private:
  enum class Open : std::uint8_t { kNone, kWord, kOther };

  struct BlockMasks {
    std::uint64_t word;       // ASCII letters and digits
    std::uint64_t separator;  // ASCII separators
    std::uint64_t non_ascii;  // bytes >= 0x80
  };

  // Classifies the 64 bytes at p (fewer when valid < 64: the rest count as nothing at all). Separators
  // are only told apart when kSeparators (they matter only when other characters may start terms).
  template <bool kSeparators>
  static BlockMasks classify_block(const unsigned char* p, std::size_t valid) {
    alignas(16) unsigned char padded[64];
    if (valid < 64) {
      std::memset(padded, 0, sizeof padded);
      std::memcpy(padded, p, valid);
      p = padded;
    }
    BlockMasks masks{0, 0, 0};
#if defined(__SSE2__)
    const __m128i bit_0x20 = _mm_set1_epi8(0x20);
    const __m128i before_a = _mm_set1_epi8('a' - 1), after_z = _mm_set1_epi8('z' + 1);
    const __m128i before_0 = _mm_set1_epi8('0' - 1), after_9 = _mm_set1_epi8('9' + 1);
    const __m128i space = _mm_set1_epi8(' '), hyphen = _mm_set1_epi8('-');
    const __m128i before_tab = _mm_set1_epi8(0x08), after_cr = _mm_set1_epi8(0x0E);
    for (int k = 0; k < 4; ++k) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
      const __m128i lower = _mm_or_si128(v, bit_0x20);
      const __m128i letter = _mm_and_si128(_mm_cmpgt_epi8(lower, before_a), _mm_cmplt_epi8(lower, after_z));
      const __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(v, before_0), _mm_cmplt_epi8(v, after_9));
      const int shift = 16 * k;
      masks.word |= std::uint64_t{static_cast<std::uint16_t>(_mm_movemask_epi8(_mm_or_si128(letter, digit)))}
                    << shift;
      if constexpr (kSeparators) {
        const __m128i separator =
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, space), _mm_cmpeq_epi8(v, hyphen)),
                         _mm_and_si128(_mm_cmpgt_epi8(v, before_tab), _mm_cmplt_epi8(v, after_cr)));
        masks.separator |= std::uint64_t{static_cast<std::uint16_t>(_mm_movemask_epi8(separator))} << shift;
      }
      masks.non_ascii |= std::uint64_t{static_cast<std::uint16_t>(_mm_movemask_epi8(v))} << shift;
    }
#else
    for (int k = 0; k < 64; ++k) {
      const ByteClass kind = kBytes.kind[p[k]];
      masks.word |= std::uint64_t{kind == ByteClass::kWord} << k;
      masks.separator |= std::uint64_t{kind == ByteClass::kSeparator} << k;
      masks.non_ascii |= std::uint64_t{kind == ByteClass::kNonAscii} << k;
    }
#endif
    if (valid < 64) {
      const std::uint64_t keep = (std::uint64_t{1} << valid) - 1;
      masks.word &= keep;
      masks.separator &= keep;
      masks.non_ascii &= keep;
    }
    return masks;
  }

  // Skips, 64 bytes at a time, the ASCII text from i on whose pieces cannot start a match, without
  // cutting it into pieces one by one: most news text starts nothing. Returns the start of the first
  // piece that may start one, the first non-ASCII byte, or size. Call only with no piece open, no
  // partial match, and i not inside a word (i == 0 or the piece before has ended).
  // The length of the common typographic character at pos that the skip loop may pass over like
  // ASCII punctuation, or 0: no-break space (NFKD: a space), U+2010..U+2015 (separators by rule 2),
  // and the curly quotes U+2018, U+2019, U+201C, U+201D (other characters; they stay unseen only
  // while no term starts with a non-ASCII other character). News text is full of them ("Russia’s").
  static std::size_t common_punctuation(const unsigned char* bytes, std::size_t pos, std::size_t size) {
    if (bytes[pos] == 0xC2) return pos + 1 < size && bytes[pos + 1] == 0xA0 ? 2 : 0;
    if (bytes[pos] != 0xE2 || pos + 2 >= size || bytes[pos + 1] != 0x80) return 0;
    const unsigned char last = bytes[pos + 2];
    return (last >= 0x90 && last <= 0x95) || last == 0x98 || last == 0x99 || last == 0x9C || last == 0x9D ? 3 : 0;
  }

  // The kind of the character that ends just before j, which is ASCII or common_punctuation.
  static CharKind kind_before(const unsigned char* bytes, std::size_t j) {
    const unsigned char last = bytes[j - 1];
    if (last < 0x80) {
      const ByteClass kind = kBytes.kind[last];
      return kind == ByteClass::kWord ? CharKind::kWord
             : kind == ByteClass::kSeparator ? CharKind::kSeparator
                                             : CharKind::kOther;
    }
    if (last == 0xA0) return CharKind::kSeparator;  // U+00A0
    return last >= 0x90 && last <= 0x95 ? CharKind::kSeparator : CharKind::kOther;
  }

  std::size_t skip_irrelevant(const unsigned char* bytes, std::size_t i, std::size_t size) {
    if (sink_.root_wildcards()) {
      return sink_.other_may_start() ? skip_irrelevant<true, true>(bytes, i, size)
                                     : skip_irrelevant<false, true>(bytes, i, size);
    }
    return sink_.other_may_start() ? skip_irrelevant<true, false>(bytes, i, size)
                                   : skip_irrelevant<false, false>(bytes, i, size);
  }

  // kOthers: other characters may start terms too, and are candidates like word starts. kWildcards: some
  // one-word term starts with a wildcard prefix, which words are checked against too (a watchlist
  // without such terms pays nothing for them in this loop).
  template <bool kOthers, bool kWildcards>
  std::size_t skip_irrelevant(const unsigned char* bytes, std::size_t i, std::size_t size) {
    const std::uint64_t or_mask = kFold ? kFoldAsciiWord : 0;
    const char* data = text_.data();
    const bool punctuation_passes = !sink_.non_ascii_other_may_start();
    std::size_t resume = i;  // past the last piece looked at: a safe place to stop
    const auto filter = sink_.template quick_start<kFold>();
    // Blocks sit at multiples of 64 from the text's start, so that a scan resumed after a candidate
    // reuses the masks of the block it stopped in.
    for (std::size_t block = i & ~std::size_t{63}; block < size; block += 64) {
      const std::size_t valid = std::min<std::size_t>(64, size - block);
      if (block != masks_block_ || kOthers != masks_with_separators_) {
        masks_ = classify_block<kOthers>(bytes + block, valid);
        masks_block_ = block;
        masks_with_separators_ = kOthers;
      }
      const BlockMasks& m = masks_;
      // Bits of bytes before i (first block only) are not looked at.
      const std::uint64_t from_i = block < i ? ~std::uint64_t{0} << (i - block) : ~std::uint64_t{0};
      std::uint64_t non_ascii = m.non_ascii & from_i;
      // Common punctuation is passed over: only the first other non-ASCII byte stops the scan.
      if (passed_until_ > block) non_ascii &= passed_until_ - block >= 64 ? 0 : ~std::uint64_t{0} << (passed_until_ - block);
      while (non_ascii != 0 && punctuation_passes) {
        const std::size_t pos = block + static_cast<std::size_t>(__builtin_ctzll(non_ascii));
        const std::size_t length = common_punctuation(bytes, pos, size);
        if (length == 0) break;
        passed_until_ = pos + length;
        non_ascii &= passed_until_ - block >= 64 ? 0 : ~std::uint64_t{0} << (passed_until_ - block);
      }
      const std::uint64_t before_non_ascii = non_ascii ? (non_ascii & (0 - non_ascii)) - 1 : ~std::uint64_t{0};
      const std::uint64_t carry = block > 0 && kBytes.kind[bytes[block - 1]] == ByteClass::kWord ? 1 : 0;
      const std::uint64_t after_word = (m.word << 1) | carry;
      // Word starts; a word that runs on from the block before has no start here (carry).
      const std::uint64_t starts = m.word & ~after_word;
      std::uint64_t others = 0;
      if constexpr (kOthers) {  // other pieces that no letter or digit precedes (no other may start)
        const std::uint64_t valid_bits = valid == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << valid) - 1;
        others = ~(m.word | m.separator | m.non_ascii | after_word) & valid_bits;
      }
      // Two stages: every piece meets the first filter without a branch on its answer (the answers
      // are unpredictable, and most are no), and the few that pass are checked in order afterwards.
      struct Pending {
        std::size_t start, end;
        std::uint64_t quick;
        bool word;
      };
      Pending pending[64];  // every piece of the block, in order
      // Locals only in this loop, so that the count, the answers and the filter stay in registers: a
      // count kept in memory made every piece wait for the previous one's answer.
      std::size_t pending_count = 0;
      std::uint64_t passed = 0;  // bit k: pending[k] passed the first filter
      std::size_t runs_on = size + 1;  // start of a word that runs on into non-ASCII text, if any
      for (std::uint64_t candidates = (starts | others) & before_non_ascii & from_i; candidates != 0;
           candidates &= candidates - 1) {
        const unsigned bit = static_cast<unsigned>(__builtin_ctzll(candidates));
        const std::size_t start = block + bit;
        const bool word = !kOthers || ((starts >> bit) & 1);
        std::size_t end = start + 1;
        if (word) {
          const std::uint64_t rest = ~m.word >> bit;
          end = rest != 0 ? start + static_cast<std::size_t>(__builtin_ctzll(rest))
                          : ascii_word_end(bytes, block + 64, size);
          if (end < size && bytes[end] >= 0x80 &&
              !(punctuation_passes && common_punctuation(bytes, end, size) != 0)) {
            runs_on = start;
            break;
          }
        }
        const std::size_t length = end - start;
        const std::uint64_t quick = quick_hash(data + start, length, size - start, word ? or_mask : 0);
        pending[pending_count] = {start, end, quick, word};
        passed |= std::uint64_t{filter.template may_start<kWildcards>(quick, data + start, length, size - start, word)}
                  << pending_count;
        ++pending_count;
        resume = end;
      }
      // The pieces that passed the first filter, in order: the first that may start a match is where
      // the skip ends. The piece after one is usually the next in the block, one space on, whose hash
      // is known already.
      for (; passed != 0; passed &= passed - 1) {
        const auto k = static_cast<std::size_t>(__builtin_ctzll(passed));
        const Pending& c = pending[k];
        const auto next = [&] {
          if (k + 1 < pending_count && pending[k + 1].start == c.end + 1 && bytes[c.end] == ' ')
            return FollowingPiece{true, true, pending[k + 1].quick};
          return following_piece(bytes, c.end, size);
        };
        if (sink_.template piece_may_start<kFold>(c.quick, data + c.start, c.end - c.start, size - c.start,
                                                  c.word, next))
          return c.start;
      }
      if (runs_on <= size) return runs_on;
      if (non_ascii) return std::max(resume, block + static_cast<std::size_t>(__builtin_ctzll(non_ascii)));
      resume = std::max(resume, block + valid);
    }
    return size;
  }

  // The piece after an ASCII piece that ends at `end`.
  FollowingPiece following_piece(const unsigned char* bytes, std::size_t end, std::size_t size) const {
    std::size_t k = end;
    while (k < size && kBytes.kind[bytes[k]] == ByteClass::kSeparator) ++k;
    if (k == size) return {false, true, 0};
    const char* p = text_.data() + k;
    switch (kBytes.kind[bytes[k]]) {
      case ByteClass::kWord: {
        const std::size_t word_end = ascii_word_end(bytes, k + 1, size);
        if (word_end < size && bytes[word_end] >= 0x80) return {true, false, 0};
        return {true, true, quick_hash(p, word_end - k, size - k, kFold ? kFoldAsciiWord : 0)};
      }
      case ByteClass::kOther:
        return {true, true, quick_hash(p, 1, size - k, 0)};
      default:
        return {true, false, 0};
    }
  }

  // The first byte at or after j that is not an ASCII letter or digit (size if none).
  static std::size_t ascii_word_end(const unsigned char* bytes, std::size_t j, std::size_t size) {
#if defined(__SSE2__)
    // Sixteen bytes at a time; signed compares leave bytes >= 0x80 out of both ranges.
    const __m128i bit_0x20 = _mm_set1_epi8(0x20);
    const __m128i before_a = _mm_set1_epi8('a' - 1), after_z = _mm_set1_epi8('z' + 1);
    const __m128i before_0 = _mm_set1_epi8('0' - 1), after_9 = _mm_set1_epi8('9' + 1);
    while (j + 16 <= size) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes + j));
      const __m128i lower = _mm_or_si128(v, bit_0x20);
      const __m128i letter = _mm_and_si128(_mm_cmpgt_epi8(lower, before_a), _mm_cmplt_epi8(lower, after_z));
      const __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(v, before_0), _mm_cmplt_epi8(v, after_9));
      const unsigned other = ~static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(letter, digit))) & 0xFFFFu;
      if (other != 0) return j + static_cast<std::size_t>(__builtin_ctz(other));
      j += 16;
    }
#endif
    while (j < size && kBytes.kind[bytes[j]] == ByteClass::kWord) ++j;
    return j;
  }

  // A complete piece of ASCII bytes [i, j); no piece is open. Inlined into the scanning loop: it runs
  // for almost every piece and usually ends at the filter.
  [[gnu::always_inline]] void ascii_piece(std::size_t i, std::size_t j, bool word, bool may_start,
                                          bool may_end) {
    const char* p = text_.data() + i;
    const std::size_t size = j - i;
    const std::size_t available = text_.size() - i;
    const std::uint64_t or_mask = kFold && word ? kFoldAsciiWord : 0;
    const bool after_separator = separator_pending_;
    separator_pending_ = false;
    const std::uint64_t quick = quick_hash(p, size, available, or_mask);
    if (!sink_.template wants_ascii<kFold>(quick, p, size, available, word, may_start)) return;
    wanted_ascii_piece(i, j, word, after_separator, may_start, may_end);
  }

  [[gnu::noinline]] void wanted_ascii_piece(std::size_t i, std::size_t j, bool word, bool after_separator,
                                            bool may_start, bool may_end) {
    const char* p = text_.data() + i;
    const std::size_t size = j - i;
    const std::uint64_t hash = hash_piece(p, size, text_.size() - i, kFold && word ? kFoldAsciiWord : 0);
    std::string_view normalized(p, size);
    char folded[64];
    if (kFold && word) {  // fold into a stack buffer, or scratch for a long piece
      char* out = folded;
      if (size > sizeof folded) {
        buffer_.resize(size);
        out = buffer_.data();
      }
      for (std::size_t k = 0; k < size; ++k) out[k] = kBytes.folded[static_cast<unsigned char>(p[k])];
      normalized = std::string_view(out, size);
    }
    const Piece piece{normalized, hash, i, j, word, after_separator, may_start, may_end};
    sink_(piece);
    buffer_.clear();
  }

  // The cache block of cp, kept at hand: the characters of a text mostly come from one or two blocks
  // of 256 code points (one script).
  const NormalizedBlock& block_of(char32_t cp) {
    const char32_t index = cp >> 8;
    if (index != block_index_) {
      block_ = normalized_block(cp, kFold);
      block_index_ = index;
    }
    return block_;
  }
  NormalizedParts parts_of(char32_t cp) { return block_of(cp).of(cp); }

  // Two-byte letters whose normalisation is one letter (Cyrillic, Greek, accented Latin...), in a
  // row: the bulk of non-English text, taken without the general path's per-part bookkeeping. Letters
  // that normalise to themselves (most lowercase ones) are passed over by a tight loop and copied to
  // the piece a run at a time. Any other character goes to non_ascii_char.
  std::size_t non_ascii_word_run(const unsigned char* bytes, std::size_t i) {
    const std::size_t size = text_.size();
    const std::size_t first = i;
    std::size_t unchanged_from = i;  // [unchanged_from, i) is yet to be copied to the piece
    while (i + 1 < size && bytes[i] >= 0xC2 && bytes[i] <= 0xDF && (bytes[i + 1] & 0xC0) == 0x80) {
      const char32_t cp = ((bytes[i] & 0x1Fu) << 6) | (bytes[i + 1] & 0x3Fu);
      const NormalizedBlock& block = block_of(cp);
      const bool unchanged = block.unchanged_letter(cp);
      if (!unchanged) {
        const NormalizedParts parts = block.of(cp);
        if (parts.end - parts.begin != 1 || parts.begin->kind != CharKind::kWord) break;
      }
      if (open_ != Open::kWord) {
        begin_piece(Open::kWord, i, true);
        unchanged_from = i;
      }
      if (unchanged) {
        i = unchanged_letters_end(bytes, i + 2, size, cp >> 8, block.unchanged_letters);
        continue;
      }
      buffer_.append(text_.data() + unchanged_from, i - unchanged_from);
      const NormalizedPart& part = *block.of(cp).begin;
      buffer_.append(part.utf8, part.utf8_length);
      i += 2;
      unchanged_from = i;
    }
    if (i == first) return non_ascii_char(bytes, i);
    buffer_.append(text_.data() + unchanged_from, i - unchanged_from);
    end_ = i;
    last_ends_char_ = true;
    last_kind_ = CharKind::kWord;
    return i;
  }

  // Where the run of two-byte letters from i that normalise to themselves and lie in one cache block
  // (`block_index`, with its bits) ends. Static so that everything stays in registers.
  static std::size_t unchanged_letters_end(const unsigned char* bytes, std::size_t i, std::size_t size,
                                           char32_t block_index, const std::uint64_t* bits) {
    // A two-byte sequence lies in the block when its lead byte is one of the block's four,
    // 0xC0 + 4 * block_index and the three after it (block 0 has only 0xC2 and 0xC3: 0xC0 and 0xC1
    // start no valid sequence); its offset in the block is then the lead's low two bits and the trail's
    // six. One compare for the lead instead of a range check and a block check per letter.
    const unsigned first_lead = std::max(0xC2u, 0xC0u + 4 * static_cast<unsigned>(block_index));
    const unsigned lead_span = 0xC3u + 4 * static_cast<unsigned>(block_index) - first_lead;
    while (i + 1 < size) {
      const unsigned lead = bytes[i], trail = bytes[i + 1];
      if (lead - first_lead > lead_span || (trail & 0xC0) != 0x80) break;
      const unsigned offset = ((lead & 3u) << 6) | (trail & 0x3Fu);
      if (((bits[offset / 64] >> (offset % 64)) & 1) == 0) break;
      i += 2;
    }
    return i;
  }

  std::size_t non_ascii_char(const unsigned char* bytes, std::size_t i) {
    char32_t decoded = 0;
    std::size_t length = decode_utf8(bytes + i, text_.size() - i, decoded);
    if (length == 0) {
      length = 1;
      decoded = kInvalidByte;
    }
    const std::size_t char_end = i + length;
    const NormalizedParts parts = parts_of(decoded);
    if (parts.begin == parts.end) {  // a dropped mark still belongs to the piece it follows
      if (open_ != Open::kNone) end_ = char_end;
      return char_end;
    }
    if (parts.end - parts.begin == 1 && parts.begin->kind == CharKind::kOther &&
        static_cast<unsigned char>(parts.begin->utf8[0]) >= 0x80 && !sink_.non_ascii_other_may_start()) {
      // A non-ASCII other character (a symbol, U+FFFD...) that no term starts with: once the piece
      // before it is closed and no partial match is open, nobody needs to see it, only to know that
      // something stood between the pieces around it.
      close(false);
      if (sink_.idle()) {
        separator_pending_ = false;
        last_kind_ = CharKind::kOther;
        return char_end;
      }
    }
    for (const NormalizedPart* part = parts.begin; part != parts.end; ++part) {
      const bool first = part == parts.begin;
      const bool last = part + 1 == parts.end;
      switch (part->kind) {
        case CharKind::kSeparator:
          separator();
          break;
        case CharKind::kWord:
          if (open_ != Open::kWord) begin_piece(Open::kWord, i, first);
          buffer_.append(part->utf8, part->utf8_length);
          end_ = char_end;
          last_ends_char_ = last;
          last_kind_ = CharKind::kWord;
          break;
        case CharKind::kOther:
          other(i, char_end, first, last);
          buffer_.append(part->utf8, part->utf8_length);
          break;
      }
    }
    return char_end;
  }

  void separator() {
    close(false);
    separator_pending_ = true;
    last_kind_ = CharKind::kSeparator;
  }

  // Opens an other piece; the caller appends its one character.
  void other(std::size_t char_start, std::size_t char_end, bool first, bool last) {
    const bool word_before = last_kind_ == CharKind::kWord;
    close(false);
    begin_piece(Open::kOther, char_start, first && !word_before);
    end_ = char_end;
    last_ends_char_ = last;
    last_kind_ = CharKind::kOther;
  }

  void begin_piece(Open kind, std::size_t char_start, bool may_start) {
    close(kind == Open::kWord);
    open_ = kind;
    start_ = char_start;
    may_start_ = may_start;
    after_separator_ = separator_pending_;
    separator_pending_ = false;
  }

  void close(bool word_follows) {
    if (open_ == Open::kNone) return;
    // The filters take quick_hash of normalised bytes (an ASCII piece's hash with its fold mask is the
    // same thing), so pieces built here meet them too: most non-ASCII pieces then skip the full hash
    // and the dictionary probe.
    const std::uint64_t quick = quick_hash(buffer_.data(), buffer_.size(), buffer_.size(), 0);
    if (!sink_.template wants_ascii<false>(quick, buffer_.data(), buffer_.size(), buffer_.size(),
                                           open_ == Open::kWord, may_start_)) {
      open_ = Open::kNone;
      buffer_.clear();
      return;
    }
    const Piece piece{buffer_,
                      hash_bytes(buffer_),
                      start_,
                      end_,
                      open_ == Open::kWord,
                      after_separator_,
                      may_start_,
                      last_ends_char_ && !word_follows};
    sink_(piece);
    open_ = Open::kNone;
    buffer_.clear();
  }

  std::string_view text_;
  std::string& buffer_;
  std::size_t masks_block_ = ~std::size_t{0};  // the block masks_ describes
  bool masks_with_separators_ = false;
  std::size_t passed_until_ = 0;  // end of the last common punctuation the skip loop passed over
  BlockMasks masks_{};
  char32_t block_index_ = ~char32_t{0};  // the cache block block_ holds (cp >> 8)
  NormalizedBlock block_{};
  Sink& sink_;
  Open open_ = Open::kNone;
  std::size_t start_ = 0;
  std::size_t end_ = 0;
  bool may_start_ = false;
  bool after_separator_ = false;
  bool last_ends_char_ = false;
  bool separator_pending_ = false;
  CharKind last_kind_ = CharKind::kSeparator;  // the text's edge is like a separator
};

}  // namespace newswatch::match_detail
