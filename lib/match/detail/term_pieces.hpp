#pragma once
// A term as the engine sees it: its normalised pieces and how they are joined. Private to lib/match.
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace newswatch::match_detail {

struct TermPiece {
  std::string normalized;  // normalised UTF-8 of a letter/digit run or of one other character
  bool word;               // a letter/digit run
  bool after_separator;    // starts a new word of the term (false for the first piece)
};

struct ParsedTerm {
  std::vector<TermPiece> pieces;  // never empty
  // A trailing '*': the match runs on through the letters and digits after the last piece. When the
  // last piece is a word piece it is a prefix of the text's word piece.
  bool wildcard = false;
};

// Normalises (folding case when fold) and cuts a term; the error says why the term cannot match.
Result<ParsedTerm, std::string> parse_term(std::string_view text, bool fold);

}  // namespace newswatch::match_detail
