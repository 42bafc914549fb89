#pragma once
// The term engine: every term of every watchlist compiled into one immutable structure that finds all
// positions where any term matches in a text, with the semantics the README states:
//  1. text and terms are normalised the same way: NFKD, combining marks (Mn, Mc, Me) dropped, full case
//     folding (skipped for match_case terms);
//  2. a term matches where its normalised words appear separated by runs of one or more separators
//     (Unicode white space, '-', U+2010..U+2015), and the characters just before and after the match are
//     not letters or digits (L*, N*) or are the edge of the text;
//  3. a trailing '*' lets the last word run on through letters and digits;
//  4. every position where a term matches is a match; offsets are byte offsets into the original text;
//  5. a term that is empty, '*' alone, or only separators is an error.
// Decisions the rules leave open:
//  - "Letter or digit" and "separator" are judged on the normalised characters, so a combining mark
//    never separates or joins anything; a hit that ends before marks covers them too ("Ciucă" whole).
//  - A hit covers whole original characters: it never starts or ends inside the expansion of one
//    character ("1" does not match "½", "fi" matches "ﬁ").
//  - match_case terms still get NFKD and lose their marks: "US" matches "ÚS" but not "us".
//  - Terms whose normalised texts are equal (duplicates, or "NATO" and "nato") each report every hit.
//  - Punctuation is part of a word and must match exactly: "d'Ivoire" does not match "d’Ivoire".
//  - More errors: a term that is not valid UTF-8, that normalises to nothing (only marks), or whose '*'
//    follows a separator ("troop *").
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace newswatch {

struct TermSpec {
  std::string text;         // as written by the user, e.g. "withdraw*" or "troop build-up"
  bool match_case = false;  // skip case folding for this term
};

struct TermHit {
  std::uint32_t term;   // index into the TermSpec list given to compile
  std::size_t start;    // byte offset of the first matched byte in the original text
  std::size_t end;      // byte offset one past the last matched byte
};

struct TermError {
  std::size_t term;     // index of the offending TermSpec
  std::string message;  // e.g. "term is empty", "term is only separators"
};

class TermMatcher {
 public:
  // Compiles all terms at once. Fails with every invalid term listed.
  static Result<std::shared_ptr<const TermMatcher>, std::vector<TermError>> compile(
      const std::vector<TermSpec>& terms);

  virtual ~TermMatcher() = default;

  // All hits in text, ordered by start, then end, then term. Each byte of invalid UTF-8 counts as a
  // character that is neither letter, digit nor separator. Thread-safe: the matcher is immutable.
  // Cost: one pass over the text per case mode in use. ASCII text (and common typographic
  // punctuation) that starts no match is skipped 64 bytes at a time: per word one hash and one filter
  // probe, whatever the number of terms; only words that may start a term are cut into pieces and
  // followed through the trie. Allocates the result and a little working memory per call.
  virtual std::vector<TermHit> find_all(std::string_view text) const = 0;

  virtual std::size_t term_count() const = 0;
};

// Which copy of the scanning loop find_all runs in this process: "x86-64-v3" (AVX2, BMI1/2) when the
// CPU has it, otherwise "baseline". Both give the same hits; GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX2
// picks the baseline on any machine, which is how the tests run it.
std::string_view term_scanner_variant();

}  // namespace newswatch
