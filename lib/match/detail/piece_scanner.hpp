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
// text, goes down the piece-by-piece path. A term that starts with a common word ("the", "de") is
// looked for from its second word, and the piece-by-piece path then starts at the word before. ASCII
// pieces there are hashed from the text as well; other characters are normalised through a
// per-code-point cache of utf8proc's answers (normalize.hpp). Non-English text is mostly two-byte
// letters (Cyrillic, Greek), most of which normalise to one two-byte letter (lowercase ones to
// themselves). Once the piece-by-piece path has met one, the skip loop takes the letters of its cache
// block like ASCII letters, and hashes their words from a table of their normalised bytes; in the
// piece-by-piece path, runs of letters that normalise to themselves are passed over in a tight loop
// and copied to the piece whole, and non-ASCII symbols that no term starts with are not made into
// pieces.
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

  // A piece the skip loop looks at.
  struct Pending {
    std::size_t start, end;
    std::uint64_t quick;
    bool word;  // a word, or one other character (set only when other pieces are candidates); a word
                // of two-byte letters (whose normalised bytes are not the text's) is the one whose
                // first byte is >= 0x80
  };

  struct BlockMasks {
    std::uint64_t word;       // ASCII letters and digits, and the bytes of `letters`
    std::uint64_t separator;  // ASCII separators
    std::uint64_t non_ascii;  // bytes >= 0x80
    std::uint64_t letters;    // both bytes of each two-byte letter of the letter block (two_byte_letter)
    bool carry;               // a word runs on into the block from the one before
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
    BlockMasks masks{0, 0, 0, 0, false};
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

  // The length of the common typographic character at pos that the skip loop may pass over like
  // ASCII punctuation, or 0: no-break space (NFKD: a space), U+2010..U+2015 (separators by rule 2),
  // and the curly quotes U+2018, U+2019, U+201C, U+201D, the guillemets U+00AB, U+00BB and U+FFFD
  // (other characters that normalise to themselves; they stay unseen only while no term starts with
  // a non-ASCII other character). News text is full of them ("Russia’s", «НАТО»), and so are feeds
  // that were decoded with the wrong charset (U+FFFD).
  static std::size_t common_punctuation(const unsigned char* bytes, std::size_t pos, std::size_t size) {
    if (bytes[pos] == 0xC2) {
      if (pos + 1 >= size) return 0;
      const unsigned char second = bytes[pos + 1];
      return second == 0xA0 || second == 0xAB || second == 0xBB ? 2 : 0;
    }
    if (pos + 2 >= size) return 0;
    if (bytes[pos] == 0xEF) return bytes[pos + 1] == 0xBF && bytes[pos + 2] == 0xBD ? 3 : 0;
    if (bytes[pos] != 0xE2 || bytes[pos + 1] != 0x80) return 0;
    const unsigned char last = bytes[pos + 2];
    return (last >= 0x90 && last <= 0x95) || last == 0x98 || last == 0x99 || last == 0x9C || last == 0x9D ? 3 : 0;
  }

  // Whether the common_punctuation character at pos is a separator (U+00A0, U+2010..U+2015).
  static bool separator_punctuation(const unsigned char* bytes, std::size_t pos) {
    return bytes[pos] == 0xC2 ? bytes[pos + 1] == 0xA0 : bytes[pos] == 0xE2 && bytes[pos + 2] <= 0x95;
  }

  // The kind of the character that ends just before j, which is ASCII or common_punctuation (the skip
  // loop never stops right after a letter that is not ASCII: such a word would have stopped it).
  static CharKind kind_before(const unsigned char* bytes, std::size_t j) {
    const unsigned char last = bytes[j - 1];
    if (last < 0x80) {
      const ByteClass kind = kBytes.kind[last];
      return kind == ByteClass::kWord ? CharKind::kWord
             : kind == ByteClass::kSeparator ? CharKind::kSeparator
                                             : CharKind::kOther;
    }
    const std::size_t start = bytes[j - 2] == 0xC2 ? j - 2 : j - 3;  // two bytes, or three
    return separator_punctuation(bytes, start) ? CharKind::kSeparator : CharKind::kOther;
  }

  // Skips, 64 bytes at a time, the text from i on whose pieces cannot start a match, without cutting
  // it into pieces one by one: most news text starts nothing. Words are ASCII letters and digits, or
  // (once the piece-by-piece path has met a two-byte letter) two-byte letters of that letter's cache
  // block whose normalisation is one two-byte letter, whose normalised hash is put together from the
  // block's table. Returns the start of the first piece that may start a match, of the first word that
  // mixes the two kinds or runs on into other non-ASCII text, the first other non-ASCII byte that is
  // not common_punctuation, or size. Call only with no piece open, no partial match, and i not inside
  // a word (i == 0 or the piece before has ended).
  std::size_t skip_irrelevant(const unsigned char* bytes, std::size_t i, std::size_t size) {
    if (letters_index_ != kNoLetters) {
      if (sink_.root_wildcards()) {
        return sink_.other_may_start() ? skip_irrelevant<true, true, true>(bytes, i, size)
                                       : skip_irrelevant<false, true, true>(bytes, i, size);
      }
      return sink_.other_may_start() ? skip_irrelevant<true, false, true>(bytes, i, size)
                                     : skip_irrelevant<false, false, true>(bytes, i, size);
    }
    if (sink_.root_wildcards()) {
      return sink_.other_may_start() ? skip_irrelevant<true, true, false>(bytes, i, size)
                                     : skip_irrelevant<false, true, false>(bytes, i, size);
    }
    return sink_.other_may_start() ? skip_irrelevant<true, false, false>(bytes, i, size)
                                   : skip_irrelevant<false, false, false>(bytes, i, size);
  }

  // kOthers: other characters may start terms too, and are candidates like word starts. kWildcards: some
  // one-word term starts with a wildcard prefix, which words are checked against too (a watchlist
  // without such terms pays nothing for them in this loop). kLetters: the text has a letter block;
  // without one (English text) the loop is free of everything letters need, which would otherwise take
  // registers that its hot loop needs.
  template <bool kOthers, bool kWildcards, bool kLetters>
  std::size_t skip_irrelevant(const unsigned char* bytes, std::size_t i, std::size_t size) {
    const std::uint64_t or_mask = kFold ? kFoldAsciiWord : 0;
    const char* data = text_.data();
    const bool punctuation_passes = !sink_.non_ascii_other_may_start();
    const std::size_t head_length = kWildcards ? sink_.root_wildcard_min() : 0;
    std::size_t resume = i;  // past the last piece looked at: a safe place to stop
    const auto filter = sink_.quick_start();
    Pending previous{};  // the last piece of the blocks before, for the first piece of a block
    bool have_previous = false;
    // Blocks sit at multiples of 64 from the text's start, so that a scan resumed after a candidate
    // reuses the masks of the block it stopped in.
    for (std::size_t block = i & ~std::size_t{63}; block < size; block += 64) {
      const std::size_t valid = std::min<std::size_t>(64, size - block);
      if (block != masks_block_ || kOthers != masks_with_separators_ || letters_index_ != masks_letters_) {
        masks_ = classify_block<kOthers>(bytes + block, valid);
        masks_.carry = block > 0 && kBytes.kind[bytes[block - 1]] == ByteClass::kWord;
        // A block of ASCII after ASCII has no two-byte letters to look for.
        if (kLetters && (masks_.non_ascii != 0 || (block > 0 && bytes[block - 1] >= 0x80)))
          mark_letters(bytes, block, size, masks_);
        masks_block_ = block;
        masks_with_separators_ = kOthers;
        masks_letters_ = letters_index_;
      }
      const BlockMasks& m = masks_;
      // Bits of bytes before i (first block only) are not looked at.
      const std::uint64_t from_i = block < i ? ~std::uint64_t{0} << (i - block) : ~std::uint64_t{0};
      // Non-ASCII bytes other than letters stop the scan, but common punctuation is passed over: only
      // the first other non-ASCII byte stops it.
      std::uint64_t non_ascii = (kLetters ? m.non_ascii & ~m.letters : m.non_ascii) & from_i;
      if (passed_until_ > block) non_ascii &= passed_until_ - block >= 64 ? 0 : ~std::uint64_t{0} << (passed_until_ - block);
      while (non_ascii != 0 && punctuation_passes) {
        const std::size_t pos = block + static_cast<std::size_t>(__builtin_ctzll(non_ascii));
        const std::size_t length = common_punctuation(bytes, pos, size);
        if (length == 0) break;
        passed_until_ = pos + length;
        non_ascii &= passed_until_ - block >= 64 ? 0 : ~std::uint64_t{0} << (passed_until_ - block);
      }
      const std::uint64_t before_non_ascii = non_ascii ? (non_ascii & (0 - non_ascii)) - 1 : ~std::uint64_t{0};
      const std::uint64_t after_word = (m.word << 1) | std::uint64_t{m.carry};
      // Word starts; a word that runs on from the block before has no start here (carry).
      const std::uint64_t starts = m.word & ~after_word;
      std::uint64_t others = 0;
      if constexpr (kOthers) {  // other pieces that no letter or digit precedes (no other may start)
        const std::uint64_t valid_bits = valid == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << valid) - 1;
        others = ~(m.word | m.separator | m.non_ascii | after_word) & valid_bits;
      }
      // Two stages: every piece meets the first filter without a branch on its answer (the answers
      // are unpredictable, and most are no), and the few that pass are checked in order afterwards.
      Pending pending[64];  // every piece of the block, in order
      // Locals only in this loop, so that the answers and the filter stay in registers: a count kept in
      // memory made every piece wait for the previous one's answer. The count is where `out` is, which
      // the loop needs anyway: one register fewer, so that the others stay in theirs.
      Pending* out = pending;
      // Bit n - 1 - k, of n pieces: pending[k] passed the first filter. Shifted in, the first piece's
      // answer highest: one instruction a piece, where setting bit k took four.
      std::uint64_t passed = 0;
      std::size_t runs_on = size + 1;  // start of a word that stops the skip, if any
      for (std::uint64_t candidates = (starts | others) & before_non_ascii & from_i; candidates != 0;
           candidates &= candidates - 1) {
        const unsigned bit = static_cast<unsigned>(__builtin_ctzll(candidates));
        const std::size_t start = block + bit;
        const bool word = !kOthers || ((starts >> bit) & 1);
        std::size_t end = start + 1;
        bool two_byte = false;  // a word of two-byte letters, whose bytes are not yet normalised
        if (word) {
          const std::uint64_t rest = ~m.word >> bit;
          // Whether the byte after the word is not ASCII: within the block the mask says (at rest's
          // lowest bit; its bits past the text's end are clear), past it the byte itself.
          bool non_ascii_after;
          if constexpr (!kLetters) {
            if (rest != 0) {
              end = start + static_cast<std::size_t>(__builtin_ctzll(rest));
              non_ascii_after = ((m.non_ascii >> bit) & rest & (0 - rest)) != 0;
            } else {
              end = ascii_word_end(bytes, block + 64, size);
              non_ascii_after = end < size && bytes[end] >= 0x80;
            }
          } else {
            // A word of the letter block's letters is hashed from its normalised bytes; one that
            // mixes them with ASCII is left to the piece-by-piece path.
            bool ascii_after = false, letters_after = false;
            if (rest != 0) {
              end = start + static_cast<std::size_t>(__builtin_ctzll(rest));
              non_ascii_after = ((m.non_ascii >> bit) & rest & (0 - rest)) != 0;
            } else {  // the word runs on past the block (its last letter may straddle the edge)
              const bool straddles = (m.letters >> 63) != 0 && bytes[block + 63] >= 0xC0;
              end = word_end(bytes, block + 64 + (straddles ? 1 : 0), size, ascii_after, letters_after);
              non_ascii_after = end < size && bytes[end] >= 0x80;
            }
            const std::uint64_t span =
                rest != 0 ? (std::uint64_t{1} << (end - start)) - 1 : ~std::uint64_t{0};
            const std::uint64_t in_word = (m.word >> bit) & span;
            const std::uint64_t letter_bytes = (m.letters >> bit) & span;
            two_byte = letter_bytes != 0 || letters_after;
            if (__builtin_expect(two_byte && (letter_bytes != in_word || ascii_after), 0)) {
              runs_on = start;
              break;
            }
          }
          if (__builtin_expect(non_ascii_after, 0) &&
              !(punctuation_passes && common_punctuation(bytes, end, size) != 0)) {
            runs_on = start;
            break;
          }
        }
        const std::size_t length = end - start;
        std::uint64_t quick, head = 0;
        if constexpr (kLetters) {
          const std::uint64_t first = candidate_first_eight(bytes, start, length, two_byte, word);
          quick = quick_hash_of(first, length);
          if constexpr (kWildcards) head = quick_hash_of(first, head_length);
        } else {
          quick = quick_hash(data + start, length, size - start, word ? or_mask : 0);
          if constexpr (kWildcards) head = quick_hash(data + start, head_length, size - start, or_mask);
        }
        out->start = start;
        out->end = end;
        out->quick = quick;
        if constexpr (kOthers) out->word = word;  // without other pieces, every piece is a word
        passed = 2 * passed + std::uint64_t{filter.template may_start<kWildcards>(quick, head, length, word)};
        ++out;
        resume = end;
      }
      const auto pending_count = static_cast<std::size_t>(out - pending);
      // The pieces that passed the first filter, in order: the first that may start a match is where
      // the skip ends. The piece after one is usually the next in the block, one space on, whose hash
      // is known already.
      for (; passed != 0;) {
        const auto highest = static_cast<std::size_t>(63 - __builtin_clzll(passed));
        passed &= ~(std::uint64_t{1} << highest);
        const std::size_t k = pending_count - 1 - highest;
        const Pending& c = pending[k];
        const auto next = [&] {
          if (k + 1 < pending_count && pending[k + 1].start == c.end + 1 && bytes[c.end] == ' ')
            return FollowingPiece{true, true, pending[k + 1].quick};
          return following_piece(bytes, c.end, size);
        };
        // A term that starts with a common word is looked for from its second piece (Automaton::
        // skip_first_pieces): the piece before this one, if the skip has looked at it, starts the match
        // when the two may be a term's first pair. Asked first, as this piece may start another term.
        const Pending* before = k > 0 ? &pending[k - 1] : have_previous ? &previous : nullptr;
        if (__builtin_expect(before != nullptr && sink_.pair_may_start(before->quick, c.quick), 0)) {
          return before->start;
        }
        if (__builtin_expect(sink_.piece_may_start(c.quick, next), 0)) return c.start;
        if constexpr (kWildcards) {
          const std::size_t length = c.end - c.start;
          if ((!kOthers || c.word) && length >= head_length) {
            const std::uint64_t first =
                candidate_first_eight(bytes, c.start, length, kLetters && bytes[c.start] >= 0x80, true);
            if (sink_.root_wildcard_head_may_start(quick_hash_of(first, head_length))) return c.start;
          }
        }
      }
      // Where the skip stops for text it cannot pass, the piece before may be a common word that starts
      // a term (which skip_first_pieces left out): then the piece-by-piece path starts there.
      const Pending* last = pending_count > 0 ? &pending[pending_count - 1]
                            : have_previous   ? &previous
                                              : nullptr;
      const auto stop_at = [&](std::size_t stop) {
        return last != nullptr && sink_.deferred_first_piece(last->quick) ? last->start : stop;
      };
      if (runs_on <= size) return stop_at(runs_on);
      if (non_ascii) {
        return stop_at(std::max(resume, block + static_cast<std::size_t>(__builtin_ctzll(non_ascii))));
      }
      if (pending_count > 0) {
        previous = pending[pending_count - 1];
        have_previous = true;
      }
      resume = std::max(resume, block + valid);
    }
    return size;
  }

  // Whether lead, trail encode one of the letter block's two-byte letters. Lead bytes of block b are
  // 0xC0 + 4 * b and the three after it, which no continuation byte equals; block 0's 0xC0 and 0xC1
  // start no valid sequence, and their offsets (U+0000..U+007F) hold no two-byte letters.
  bool two_byte_letter(unsigned lead, unsigned trail) const {
    if ((lead & 0xFCu) != 0xC0u + 4 * letters_index_ || (trail & 0xC0u) != 0x80u) return false;
    const unsigned offset = ((lead & 3u) << 6) | (trail & 0x3Fu);
    return (letters_.two_byte_letters[offset / 64] >> (offset % 64)) & 1;
  }

  // Marks in m the bytes of the letter block's two-byte letters in the 64 bytes at `block` (a letter
  // whose lead byte ends the block has its lead marked; one whose trail byte starts it, its trail),
  // and takes them as word bytes. A letter just before the block, or straddling its start, is a word
  // running on into it.
  void mark_letters(const unsigned char* bytes, std::size_t block, std::size_t size, BlockMasks& m) const {
    bool carry = m.carry || (block >= 2 && two_byte_letter(bytes[block - 2], bytes[block - 1]));
    if (m.non_ascii == 0) {
      m.carry = carry;
      return;
    }
    std::uint64_t letters = 0;
    if (block > 0 && (m.non_ascii & 1) && two_byte_letter(bytes[block - 1], bytes[block])) {
      letters = 1;
      carry = true;
    }
    const std::size_t valid = std::min<std::size_t>(64, size - block);
    // follows: bit k when byte k + 1 is a continuation byte (the one after the block included).
    const bool continued = block + 64 < size && (bytes[block + 64] & 0xC0) == 0x80;
#if defined(__SSE2__)
    // Lead bytes of the letter block, and their two low bits, which pick the bitmap word of their
    // letters: a lead whose 64 letters are all in two_byte_letters (Cyrillic's, mostly) needs no
    // further look; the others are checked one by one.
    const unsigned char* p = bytes + block;
    alignas(16) unsigned char padded[64];
    if (valid < 64) {
      std::memset(padded, 0, sizeof padded);
      std::memcpy(padded, p, valid);
      p = padded;
    }
    const __m128i lead_base = _mm_set1_epi8(static_cast<char>(0xC0u + 4 * letters_index_));
    const __m128i lead_bits = _mm_set1_epi8(static_cast<char>(0xFC));
    const __m128i below_lead = _mm_set1_epi8(-64);  // signed: continuation bytes are -128..-65
    std::uint64_t leads = 0, low0 = 0, low1 = 0, continuation = 0;
    for (int k = 0; k < 4; ++k) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
      const int shift = 16 * k;
      const auto bits = [&](__m128i x) {
        return std::uint64_t{static_cast<std::uint16_t>(_mm_movemask_epi8(x))} << shift;
      };
      leads |= bits(_mm_cmpeq_epi8(_mm_and_si128(v, lead_bits), lead_base));
      low0 |= bits(_mm_slli_epi16(v, 7));
      low1 |= bits(_mm_slli_epi16(v, 6));
      continuation |= bits(_mm_cmplt_epi8(v, below_lead));
    }
    const std::uint64_t follows = (continuation >> 1) | (std::uint64_t{continued} << 63);
    const std::uint64_t full = (~low1 & ~low0 & letters_full_[0]) | (~low1 & low0 & letters_full_[1]) |
                               (low1 & ~low0 & letters_full_[2]) | (low1 & low0 & letters_full_[3]);
    const std::uint64_t full_letters = leads & full & follows;
    letters |= full_letters | (full_letters << 1);  // a straddling letter's trail bit falls off the end
    std::uint64_t candidates = leads & ~full & follows;
#else
    std::uint64_t candidates = m.non_ascii;
    (void)continued;
#endif
    while (candidates != 0) {
      const unsigned bit = static_cast<unsigned>(__builtin_ctzll(candidates));
      const std::size_t pos = block + bit;
      if (pos + 1 < size && two_byte_letter(bytes[pos], bytes[pos + 1])) {
        letters |= std::uint64_t{3} << bit;
        candidates &= ~(std::uint64_t{3} << bit);
      } else {
        candidates &= candidates - 1;
      }
    }
    if (valid < 64) letters &= (std::uint64_t{1} << valid) - 1;
    m.letters = letters;
    m.word |= letters;
    m.carry = carry;
  }

  // The end of a word that goes on at j, over ASCII letters and digits and the letter block's two-byte
  // letters; says which of the two it passed over.
  std::size_t word_end(const unsigned char* bytes, std::size_t j, std::size_t size, bool& ascii,
                       bool& letters) const {
    while (j < size) {
      if (kBytes.kind[bytes[j]] == ByteClass::kWord) {
        ascii = true;
        ++j;
      } else if (j + 1 < size && two_byte_letter(bytes[j], bytes[j + 1])) {
        letters = true;
        j += 2;
      } else {
        break;
      }
    }
    return j;
  }

  // first_eight of a skip-loop candidate's normalised bytes: from the letter table for a word of
  // two-byte letters, from the text (folded when a word) otherwise.
  std::uint64_t candidate_first_eight(const unsigned char* bytes, std::size_t start, std::size_t length,
                                      bool two_byte, bool word) const {
    const std::size_t available = text_.size() - start;
    if (two_byte) return normalized_first_eight(bytes + start, length, available);
    return first_eight(text_.data() + start, available, kFold && word ? kFoldAsciiWord : 0);
  }

  // first_eight of the normalisation of a word of `length` bytes of the letter block's two-byte
  // letters, which starts at p with `available` bytes of text from there: each letter normalises to two
  // bytes, so the word keeps its length. Four letters' worth without a branch on the word's length
  // when the text has eight bytes at p (what lies past the word is looked up too, and then masked
  // off by quick_hash_of): lengths vary from word to word.
  std::uint64_t normalized_first_eight(const unsigned char* p, std::size_t length,
                                       std::size_t available) const {
    const std::uint16_t* table = letters_.two_byte_normalized;
    if (available >= 8) {
      // The four letters' offsets in their block (the lead's low two bits, the trail's six) side by
      // side in 16-bit lanes, then one lookup each.
      std::uint64_t w;
      std::memcpy(&w, p, 8);
      const std::uint64_t offsets = ((w & 0x0003000300030003ull) << 6) | ((w >> 8) & 0x003F003F003F003Full);
      return std::uint64_t{table[offsets & 0xFF]} | std::uint64_t{table[(offsets >> 16) & 0xFF]} << 16 |
             std::uint64_t{table[(offsets >> 32) & 0xFF]} << 32 |
             std::uint64_t{table[(offsets >> 48) & 0xFF]} << 48;
    }
    std::uint64_t w = 0;
    for (std::size_t k = 0; k < std::min<std::size_t>(length / 2, 4); ++k) {
      const unsigned offset = ((p[2 * k] & 3u) << 6) | (p[2 * k + 1] & 0x3Fu);
      w |= std::uint64_t{table[offset]} << (16 * k);
    }
    return w;
  }

  // The piece after a piece that ends at `end`. Described ("known") when it is ASCII, a common
  // punctuation mark ("it’s", "a “quote”") or a word of the letter block's letters: a piece that is
  // not described sends its predecessor, if that may start a term, to the piece-by-piece path, and
  // curly apostrophes after common words ("it", "don") and Cyrillic after a Latin one are everyday
  // text.
  FollowingPiece following_piece(const unsigned char* bytes, std::size_t end, std::size_t size) const {
    std::size_t k = end;
    for (;;) {
      while (k < size && kBytes.kind[bytes[k]] == ByteClass::kSeparator) ++k;
      if (k == size || bytes[k] < 0x80) break;
      const std::size_t length = common_punctuation(bytes, k, size);
      if (length == 0) break;
      if (!separator_punctuation(bytes, k)) {  // a mark that normalises to itself: a piece of its own
        return {true, true, quick_hash(text_.data() + k, length, size - k, 0)};
      }
      k += length;
    }
    if (k == size) return {false, true, 0};
    const char* p = text_.data() + k;
    // Whether a word that ends at e is the whole piece: what follows is not a letter, digit or mark.
    const auto ends_piece = [&](std::size_t e) {
      return e == size || bytes[e] < 0x80 || common_punctuation(bytes, e, size) != 0;
    };
    switch (kBytes.kind[bytes[k]]) {
      case ByteClass::kWord: {
        const std::size_t word_end = ascii_word_end(bytes, k + 1, size);
        if (!ends_piece(word_end)) return {true, false, 0};
        return {true, true, quick_hash(p, word_end - k, size - k, kFold ? kFoldAsciiWord : 0)};
      }
      case ByteClass::kOther:
        return {true, true, quick_hash(p, 1, size - k, 0)};
      default:
        if (letters_index_ != kNoLetters && k + 1 < size && two_byte_letter(bytes[k], bytes[k + 1])) {
          bool ascii = false, letters = false;
          const std::size_t word_end = this->word_end(bytes, k, size, ascii, letters);
          if (ascii || !ends_piece(word_end)) return {true, false, 0};
          const std::size_t length = word_end - k;
          return {true, true, quick_hash_of(normalized_first_eight(bytes + k, length, size - k), length)};
        }
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

  // A two-byte letter of cp's block (block_, which holds it) that the skip loop can take makes that
  // block the letter block: the text is in its script. Other letters (accented Latin, which
  // normalises to ASCII) leave English text to the loop without letters.
  [[gnu::noinline]] void note_letter(char32_t cp) {
    const std::size_t offset = cp & 0xFF;
    if (((block_.two_byte_letters[offset / 64] >> (offset % 64)) & 1) == 0) return;
    letters_ = block_;
    letters_index_ = cp >> 8;
    for (int k = 0; k < 4; ++k)
      letters_full_[k] = letters_.two_byte_letters[k] == ~std::uint64_t{0} ? ~std::uint64_t{0} : 0;
  }

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
      if ((cp >> 8) != letters_index_) note_letter(cp);
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
  // The letter block (note_letter), whose two-byte letters the skip loop takes like ASCII letters;
  // kNoLetters before any.
  static constexpr char32_t kNoLetters = ~char32_t{0};
  char32_t letters_index_ = kNoLetters;
  NormalizedBlock letters_{};
  std::uint64_t letters_full_[4] = {};  // all ones where a lead byte's 64 letters are all two_byte_letters
  char32_t masks_letters_ = kNoLetters;  // the letter block masks_ was classified with
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
