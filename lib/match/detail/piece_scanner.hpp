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
// Most news text is ASCII, whose normalisation is at most lowercasing, so ASCII bytes take a table
// path and only other characters go through utf8proc.
#include <utf8proc.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "match/detail/normalize.hpp"

namespace newswatch::match_detail {

struct Piece {
  std::string_view normalized;  // normalised UTF-8; only valid during the callback
  std::size_t start;            // original byte offset of the piece's first character
  std::size_t end;              // original byte offset past its last character and any marks after it
  bool word;                    // letters and digits, or one other character
  bool after_separator;         // at least one separator between this piece and the previous one
  bool may_start;               // begins a character, and no letter or digit is just before it
  bool may_end;                 // ends a character, and no letter or digit is just after it
};

struct AsciiTables {
  std::array<CharKind, 128> kind{};
  std::array<char, 128> folded{};
  constexpr AsciiTables() {
    for (int b = 0; b < 128; ++b) {
      const bool upper = b >= 'A' && b <= 'Z';
      const bool word = upper || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9');
      const bool separator = b == ' ' || b == '-' || (b >= 0x09 && b <= 0x0D);
      kind[b] = word ? CharKind::kWord : separator ? CharKind::kSeparator : CharKind::kOther;
      folded[b] = static_cast<char>(upper ? b + ('a' - 'A') : b);
    }
  }
};
inline constexpr AsciiTables kAscii{};

// Calls sink(const Piece&) for every piece of text, in order. kFold selects the case-folded stream or
// the case-preserving one (for match_case terms). scratch is reused working memory.
template <bool kFold, typename Sink>
class PieceScanner {
 public:
  PieceScanner(std::string_view text, std::string& scratch, Sink& sink)
      : text_(text), buffer_(scratch), sink_(sink) {
    buffer_.clear();
  }

  void run() {
    const auto* bytes = reinterpret_cast<const unsigned char*>(text_.data());
    const std::size_t size = text_.size();
    std::size_t i = 0;
    while (i < size) {
      const unsigned char byte = bytes[i];
      if (byte >= 0x80) {
        i = non_ascii_char(bytes, i);
        continue;
      }
      switch (kAscii.kind[byte]) {
        case CharKind::kSeparator:
          separator();
          ++i;
          break;
        case CharKind::kWord: {
          if (open_ != Open::kWord) begin_piece(Open::kWord, i, true);
          std::size_t j = i;
          while (j < size && bytes[j] < 0x80 && kAscii.kind[bytes[j]] == CharKind::kWord) {
            buffer_.push_back(kFold ? kAscii.folded[bytes[j]] : static_cast<char>(bytes[j]));
            ++j;
          }
          end_ = j;
          last_ends_char_ = true;
          last_kind_ = CharKind::kWord;
          i = j;
          break;
        }
        case CharKind::kOther:
          other(i, i + 1, true, true);
          buffer_.push_back(static_cast<char>(byte));
          ++i;
          break;
      }
    }
    close(false);
  }

 private:
  enum class Open : std::uint8_t { kNone, kWord, kOther };

  std::size_t non_ascii_char(const unsigned char* bytes, std::size_t i) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t length = utf8proc_iterate(bytes + i, static_cast<utf8proc_ssize_t>(text_.size() - i), &cp);
    char32_t decoded = static_cast<char32_t>(cp);
    if (length <= 0) {
      length = 1;
      decoded = kInvalidByte;
    }
    const std::size_t char_end = i + static_cast<std::size_t>(length);
    char32_t normalized[kMaxNormalizedLength];
    const std::size_t count = normalize_char(decoded, kFold, normalized);
    if (count == 0) {  // a dropped mark still belongs to the piece it follows
      if (open_ != Open::kNone) end_ = char_end;
      return char_end;
    }
    for (std::size_t k = 0; k < count; ++k) {
      const bool first = k == 0;
      const bool last = k + 1 == count;
      const char32_t c = normalized[k];
      switch (classify(c)) {
        case CharKind::kSeparator:
          separator();
          break;
        case CharKind::kWord:
          if (open_ != Open::kWord) begin_piece(Open::kWord, i, first);
          append_utf8(c, buffer_);
          end_ = char_end;
          last_ends_char_ = last;
          last_kind_ = CharKind::kWord;
          break;
        case CharKind::kOther:
          other(i, char_end, first, last);
          append_utf8(c, buffer_);
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
    const Piece piece{buffer_,         start_,     end_, open_ == Open::kWord, after_separator_,
                      may_start_, last_ends_char_ && !word_follows};
    sink_(piece);
    open_ = Open::kNone;
    buffer_.clear();
  }

  std::string_view text_;
  std::string& buffer_;
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
