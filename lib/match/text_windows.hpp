#pragma once
// How the matcher cuts one field's plain text into the windows that rules speak of: paragraphs,
// sentences and words. Pure functions over byte offsets; no allocation beyond the returned vectors.
// Invalid UTF-8 bytes count as neither letters nor separators.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace newswatch {

// A half-open byte range [start, end) of a text.
struct TextSpan {
  std::size_t start = 0;
  std::size_t end = 0;

  bool contains(std::size_t from, std::size_t to) const { return start <= from && to <= end; }
  friend bool operator==(const TextSpan&, const TextSpan&) = default;
};

// Paragraphs are the non-blank stretches between line breaks (LF, CR, U+2028, U+2029): the feed
// parser turns block elements into line breaks, so one line is one block. Trimmed of white space.
std::vector<TextSpan> split_paragraphs(std::string_view text);

// Sentences end at '.', '!', '?' or '…' (plus any closing quotes or brackets) followed by white space
// or the end of the text, and at every paragraph end. A period does not end a sentence after a single
// letter ("U.S."), after a known abbreviation ("Gen.", "Lt.", "Jan."), or when the next word starts
// with a lowercase letter or a digit. Trimmed of white space.
std::vector<TextSpan> split_sentences(std::string_view text);
// The same, given split_paragraphs(text).
std::vector<TextSpan> split_sentences(std::string_view text, const std::vector<TextSpan>& paragraphs);

// Word positions as the term semantics see them: a word is a run of characters between separators
// (Unicode white space, '-', U+2010..U+2015) that holds at least one letter or digit.
class WordIndex {
 public:
  explicit WordIndex(std::string_view text);

  // Index of the word that holds the byte at `offset` (or the last word before it; 0 before the
  // first word).
  std::size_t word_at(std::size_t offset) const;
  std::size_t word_count() const { return word_starts_.size(); }

 private:
  std::vector<std::size_t> word_starts_;
};

// The longest prefix of `text` of at most `max_bytes` bytes that does not cut a UTF-8 sequence.
std::string_view utf8_prefix(std::string_view text, std::size_t max_bytes);

// About `width` characters of `text` around [start, end): cut at word boundaries, white space runs
// collapsed to one space, "…" where text was cut off, always valid UTF-8.
std::string make_snippet(std::string_view text, std::size_t start, std::size_t end, std::size_t width);

}  // namespace newswatch
