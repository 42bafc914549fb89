// The engine against a deliberately naive reference: normalise the text character by character, then
// try every term at every position, straight from the rules. Random texts and terms from pieces that
// exercise each rule; fixed seed, so a failure is reproducible and printed with its text and terms.
#include <utf8proc.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <optional>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "match/term_matcher.hpp"

namespace newswatch {
namespace {

constexpr char32_t kInvalid = 0x110000;  // one byte of invalid UTF-8: not a letter, digit or separator

// --- the reference ---------------------------------------------------------------------------------

std::u32string decode_all(const std::string& utf8) {
  std::u32string out;
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(utf8.data());
  utf8proc_ssize_t i = 0;
  const auto n = static_cast<utf8proc_ssize_t>(utf8.size());
  while (i < n) {
    utf8proc_int32_t cp = 0;
    const utf8proc_ssize_t length = utf8proc_iterate(p + i, n - i, &cp);
    REQUIRE(length > 0);
    out.push_back(static_cast<char32_t>(cp));
    i += length;
  }
  return out;
}

std::string encode(const std::u32string& cps) {
  std::string out;
  for (char32_t cp : cps) {
    utf8proc_uint8_t bytes[4];
    const auto length = utf8proc_encode_char(static_cast<utf8proc_int32_t>(cp), bytes);
    out.append(reinterpret_cast<const char*>(bytes), static_cast<std::size_t>(length));
  }
  return out;
}

std::u32string map(const std::u32string& cps, int options) {
  const std::string in = encode(cps);
  utf8proc_uint8_t* out = nullptr;
  const utf8proc_ssize_t length =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(in.data()),
                   static_cast<utf8proc_ssize_t>(in.size()), &out, static_cast<utf8proc_option_t>(options));
  REQUIRE(length >= 0);
  std::u32string result =
      decode_all(std::string(reinterpret_cast<char*>(out), static_cast<std::size_t>(length)));
  std::free(out);
  return result;
}

// Rule 1, literally: NFKD, drop Mn/Mc/Me, then full case folding unless the term matches case.
std::u32string reference_normalize(char32_t cp, bool fold) {
  if (cp == kInvalid) return {kInvalid};
  std::u32string decomposed = map({cp}, UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE);
  std::u32string kept;
  for (char32_t c : decomposed) {
    const auto category = utf8proc_category(static_cast<utf8proc_int32_t>(c));
    if (category != UTF8PROC_CATEGORY_MN && category != UTF8PROC_CATEGORY_MC &&
        category != UTF8PROC_CATEGORY_ME) {
      kept.push_back(c);
    }
  }
  return fold && !kept.empty() ? map(kept, UTF8PROC_CASEFOLD) : kept;
}

bool is_letter_or_digit(char32_t cp) {
  if (cp == kInvalid) return false;
  const auto category = utf8proc_category(static_cast<utf8proc_int32_t>(cp));
  return (category >= UTF8PROC_CATEGORY_LU && category <= UTF8PROC_CATEGORY_LO) ||
         (category >= UTF8PROC_CATEGORY_ND && category <= UTF8PROC_CATEGORY_NO);
}

bool is_separator(char32_t cp) {
  static const std::u32string kWhiteSpace =
      U"\t\n\v\f\r \u0085\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
      U"\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000";
  return kWhiteSpace.find(cp) != std::u32string::npos || cp == U'-' || (cp >= 0x2010 && cp <= 0x2015);
}

struct TextChar {
  std::size_t start, end;  // original bytes
  std::u32string normalized;
};

std::vector<TextChar> split_text(const std::string& text, bool fold) {
  std::vector<TextChar> chars;
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  std::size_t i = 0;
  while (i < text.size()) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t length = utf8proc_iterate(p + i, static_cast<utf8proc_ssize_t>(text.size() - i), &cp);
    char32_t c = static_cast<char32_t>(cp);
    if (length <= 0) {
      length = 1;
      c = kInvalid;
    }
    chars.push_back({i, i + static_cast<std::size_t>(length), reference_normalize(c, fold)});
    i += static_cast<std::size_t>(length);
  }
  return chars;
}

struct ReferenceTerm {
  std::vector<std::u32string> words;
  bool wildcard = false;
};

std::optional<ReferenceTerm> reference_parse(const std::string& text, bool fold) {
  std::u32string all;
  for (char32_t c : decode_all(text)) all += reference_normalize(c, fold);
  ReferenceTerm term;
  std::u32string word;
  for (char32_t c : all) {
    if (is_separator(c)) {
      if (!word.empty()) term.words.push_back(word);
      word.clear();
    } else {
      word.push_back(c);
    }
  }
  if (!word.empty()) term.words.push_back(word);
  if (term.words.empty()) return std::nullopt;
  if (term.words.back().back() == U'*') {
    term.wildcard = true;
    term.words.back().pop_back();
    if (term.words.back().empty()) return std::nullopt;  // "*" alone, or "word *"
  }
  return term;
}

using Hit = std::tuple<std::size_t, std::size_t, std::uint32_t>;  // start, end, term

void reference_find(const ReferenceTerm& term, std::uint32_t index, const std::vector<TextChar>& chars,
                    std::vector<Hit>& hits) {
  struct Normalized {
    char32_t cp;
    std::size_t char_index;
    bool first, last;
  };
  std::vector<Normalized> stream;
  for (std::size_t i = 0; i < chars.size(); ++i) {
    const std::u32string& n = chars[i].normalized;
    for (std::size_t k = 0; k < n.size(); ++k) stream.push_back({n[k], i, k == 0, k + 1 == n.size()});
  }
  for (std::size_t s = 0; s < stream.size(); ++s) {
    if (!stream[s].first) continue;
    if (s > 0 && is_letter_or_digit(stream[s - 1].cp)) continue;
    std::size_t pos = s;
    bool ok = true;
    for (std::size_t w = 0; w < term.words.size() && ok; ++w) {
      if (w > 0) {
        const std::size_t before = pos;
        while (pos < stream.size() && is_separator(stream[pos].cp)) ++pos;
        ok = pos > before;
      }
      for (char32_t c : term.words[w]) {
        if (!ok) break;
        ok = pos < stream.size() && stream[pos].cp == c;
        ++pos;
      }
    }
    if (!ok) continue;
    if (term.wildcard) {
      while (pos < stream.size() && is_letter_or_digit(stream[pos].cp)) ++pos;
    }
    if (pos < stream.size() && is_letter_or_digit(stream[pos].cp)) continue;
    if (!stream[pos - 1].last) continue;
    std::size_t last_char = stream[pos - 1].char_index;
    while (last_char + 1 < chars.size() && chars[last_char + 1].normalized.empty()) ++last_char;
    hits.emplace_back(chars[stream[s].char_index].start, chars[last_char].end, index);
  }
}

// --- random inputs ---------------------------------------------------------------------------------

const std::vector<std::string> kWords{
    "nato", "NATO",   "Nato",    "us",      "US",       "Ciucă", "Ciuca\u0306", "ciuca",      "нато",
    "НАТО", "straße", "STRASSE", "strasse", "\uFB01re", "fire",  "withdraw",    "withdrawal", "WITHDRAWN",
    "a",    "A",      "b",       "1",       "42",       "Côte",  "cote",        "d’Ivoire",   "d'ivoire",
    "U.S.", "u.s",    "½",       "1⁄2",     "Αθήνα",    "αθηνα", "İstanbul",    "istanbul",
    // Common words, which start terms that the skip loop finds from their second word.
    "the",  "The",    "de",      "of"};
const std::vector<std::string> kSeparators{" ",      "  ", "-",  "\u2010", "\u2013", "\u2015",
                                           "\u00A0", "\t", "\n", "\u3000", " - "};
const std::vector<std::string> kOthers{"'", "’", ".", ",", "(", ")", "«", "»", "\"", "_", "*", "\u0301"};
const std::vector<std::string> kBroken{"\xFF", "\xE2\x80", "\x80", "\xC1\x81", "\xC3"};

std::vector<std::string> random_text_pieces(std::mt19937& rng) {
  auto pick = [&](const std::vector<std::string>& from) {
    return from[std::uniform_int_distribution<std::size_t>(0, from.size() - 1)(rng)];
  };
  std::vector<std::string> pieces;
  const int count = std::uniform_int_distribution<int>(1, 24)(rng);
  for (int i = 0; i < count; ++i) {
    const int roll = std::uniform_int_distribution<int>(0, 99)(rng);
    if (roll < 45) {
      pieces.push_back(pick(kWords));
    } else if (roll < 75) {
      pieces.push_back(pick(kSeparators));
    } else if (roll < 96) {
      pieces.push_back(pick(kOthers));
    } else {
      pieces.push_back(pick(kBroken));
    }
  }
  return pieces;
}

// Half the terms are cut from the text itself, so that many of them match (or nearly match).
TermSpec random_term_from(const std::vector<std::string>& text_pieces, std::mt19937& rng) {
  const std::size_t first = std::uniform_int_distribution<std::size_t>(0, text_pieces.size() - 1)(rng);
  const std::size_t count = std::uniform_int_distribution<std::size_t>(1, 4)(rng);
  TermSpec spec;
  for (std::size_t i = first; i < std::min(text_pieces.size(), first + count); ++i) {
    const bool broken = std::find(kBroken.begin(), kBroken.end(), text_pieces[i]) != kBroken.end();
    if (!broken) spec.text += text_pieces[i];  // terms must be valid UTF-8
  }
  if (std::uniform_int_distribution<int>(0, 99)(rng) < 20) spec.text += "*";
  spec.match_case = std::uniform_int_distribution<int>(0, 99)(rng) < 25;
  return spec;
}

TermSpec random_term(std::mt19937& rng) {
  auto pick = [&](const std::vector<std::string>& from) {
    return from[std::uniform_int_distribution<std::size_t>(0, from.size() - 1)(rng)];
  };
  auto roll = [&](int percent) { return std::uniform_int_distribution<int>(0, 99)(rng) < percent; };
  TermSpec spec;
  const int words = std::uniform_int_distribution<int>(1, 3)(rng);
  for (int w = 0; w < words; ++w) {
    if (w > 0) spec.text += pick(kSeparators);
    if (roll(15)) spec.text += pick(kOthers);
    spec.text += pick(kWords);
    if (roll(15)) spec.text += pick(kOthers);
  }
  if (roll(20)) {  // a wildcard, often on a shortened word so that it runs on
    if (roll(50)) {
      std::u32string cps = decode_all(spec.text);
      if (cps.size() > 2) cps.resize(cps.size() - 1 - std::uniform_int_distribution<std::size_t>(0, 1)(rng));
      spec.text = encode(cps);
    }
    spec.text += "*";
  }
  if (roll(5)) spec.text = pick(kSeparators);
  spec.match_case = roll(25);
  return spec;
}

std::string describe(const std::string& text, const std::vector<TermSpec>& terms) {
  std::string out = "text: \"" + text + "\"\nterms:";
  for (std::size_t i = 0; i < terms.size(); ++i) {
    out += "\n  [" + std::to_string(i) + "] \"" + terms[i].text + "\"" +
           (terms[i].match_case ? " (match_case)" : "");
  }
  return out;
}

std::string describe(const std::vector<Hit>& hits, const std::string& text) {
  std::string out;
  for (const auto& [start, end, term] : hits) {
    out += "\n  term " + std::to_string(term) + " [" + std::to_string(start) + "," + std::to_string(end) +
           ") \"" + text.substr(start, end - start) + "\"";
  }
  return out.empty() ? " (none)" : out;
}

struct Comparison {
  int compared = 0, with_hits = 0, mismatches = 0;
};

template <typename TextPieces>
Comparison compare_with_reference(std::mt19937& rng, int rounds, TextPieces text_pieces) {
  Comparison c;
  auto& [compared, with_hits, mismatches] = c;
  for (int round = 0; round < rounds; ++round) {
    const std::vector<std::string> pieces = text_pieces(rng);
    std::string text;
    for (const std::string& piece : pieces) text += piece;
    std::vector<TermSpec> terms;
    const int term_count = std::uniform_int_distribution<int>(1, 8)(rng);
    for (int i = 0; i < term_count; ++i) {
      const bool from_text = std::uniform_int_distribution<int>(0, 1)(rng) == 1;
      terms.push_back(from_text ? random_term_from(pieces, rng) : random_term(rng));
    }

    std::vector<std::optional<ReferenceTerm>> parsed;
    std::vector<std::size_t> invalid;
    for (std::size_t i = 0; i < terms.size(); ++i) {
      parsed.push_back(reference_parse(terms[i].text, !terms[i].match_case));
      if (!parsed.back()) invalid.push_back(i);
    }
    auto compiled = TermMatcher::compile(terms);
    if (!invalid.empty()) {
      INFO(describe(text, terms));
      REQUIRE_FALSE(compiled.ok());
      std::vector<std::size_t> reported;
      for (const TermError& e : compiled.error()) reported.push_back(e.term);
      REQUIRE(reported == invalid);
      // Drop the invalid terms and compare on the rest.
      std::vector<TermSpec> valid_terms;
      std::vector<std::optional<ReferenceTerm>> valid_parsed;
      for (std::size_t i = 0; i < terms.size(); ++i) {
        if (parsed[i]) {
          valid_terms.push_back(terms[i]);
          valid_parsed.push_back(parsed[i]);
        }
      }
      terms = valid_terms;
      parsed = valid_parsed;
      compiled = TermMatcher::compile(terms);
    }
    REQUIRE(compiled.ok());

    std::vector<Hit> expected;
    const std::vector<TextChar> folded_chars = split_text(text, true);
    const std::vector<TextChar> cased_chars = split_text(text, false);
    for (std::size_t i = 0; i < terms.size(); ++i) {
      reference_find(*parsed[i], static_cast<std::uint32_t>(i),
                     terms[i].match_case ? cased_chars : folded_chars, expected);
    }
    std::sort(expected.begin(), expected.end());
    std::vector<Hit> actual;
    for (const TermHit& hit : compiled.value()->find_all(text))
      actual.emplace_back(hit.start, hit.end, hit.term);

    ++compared;
    if (!expected.empty()) ++with_hits;
    if (actual != expected) {
      ++mismatches;
      if (mismatches <= 5) {
        FAIL_CHECK(describe(text, terms)
                   << "\nexpected:" << describe(expected, text) << "\nactual:" << describe(actual, text));
      }
    }
  }
  return c;
}

// ctest runs the [term] tests twice: as they come (x86-64-v3 on any recent x86 CPU) and with glibc told
// to hide AVX2, which must switch the scanner to its baseline copy (tests/CMakeLists.txt). This holds
// each run to the copy it was meant to check.
TEST_CASE("the scanner copy is the one the run asks for", "[term]") {
  const std::string_view variant = term_scanner_variant();
  CHECK((variant == "x86-64-v3" || variant == "baseline"));
  if (const char* expected = std::getenv("NEWSWATCH_EXPECT_SCANNER")) CHECK(variant == expected);
}

TEST_CASE("the engine agrees with the naive reference on random texts and terms", "[term][reference]") {
  std::mt19937 rng(20260128);
  const Comparison c = compare_with_reference(rng, 4000, random_text_pieces);
  CHECK(c.mismatches == 0);
  CHECK(c.compared == 4000);
  CHECK(c.with_hits > 1000);  // the generator must produce matches, or the comparison proves little
}

// Long texts that are mostly ASCII words which start no term, with the tricky pieces sprinkled in:
// the scanner skips such text 64 bytes at a time, so matches, words and non-ASCII characters must
// fall on and across those block edges, and at the text's end.
// Typographic punctuation of real news text, which the scanner passes over without stopping.
const std::vector<std::string> kTypographic{"\u2019", "\u2018", "\u201C", "\u201D", "\u2014", "\u2013",
                                            "\u00A0", "\u2026", "\u2020", "\u201E"};
const std::vector<std::string> kFiller{"the", "of", "Troops", "moved", "2022", "x", "Lorem", "ipsum", "said",
                                       std::string(70, 'q'), std::string(63, 'Z') + "9"};

// A long text: filler words, separators (mostly spaces), the tricky words and characters of the
// short texts, the given punctuation and now and then a broken byte.
std::vector<std::string> long_text_pieces(std::mt19937& rng, const std::vector<std::string>& filler,
                                          const std::vector<std::string>& punctuation) {
  auto pick = [&](const std::vector<std::string>& from) {
    return from[std::uniform_int_distribution<std::size_t>(0, from.size() - 1)(rng)];
  };
  std::vector<std::string> pieces;
  const int count = std::uniform_int_distribution<int>(20, 160)(rng);
  for (int i = 0; i < count; ++i) {
    const int roll = std::uniform_int_distribution<int>(0, 99)(rng);
    if (roll < 40) {
      pieces.push_back(pick(filler));
    } else if (roll < 75) {
      pieces.push_back(roll < 70 ? " " : pick(kSeparators));
    } else if (roll < 87) {
      pieces.push_back(pick(kWords));
    } else if (roll < 93) {
      pieces.push_back(pick(kOthers));
    } else if (roll < 99) {
      pieces.push_back(pick(punctuation));
    } else {
      pieces.push_back(pick(kBroken));
    }
  }
  return pieces;
}

TEST_CASE("the engine agrees with the naive reference on long, mostly ASCII texts", "[term][reference]") {
  std::mt19937 rng(20261128);
  const Comparison c = compare_with_reference(
      rng, 1500, [](std::mt19937& r) { return long_text_pieces(r, kFiller, kTypographic); });
  CHECK(c.mismatches == 0);
  CHECK(c.compared == 1500);
  CHECK(c.with_hits > 500);
}

// Long texts that are mostly Cyrillic (or Greek) words, which the scanner also skips 64 bytes at a time
// once it has met a letter of their script, hashing each word from the text: lowercase words, capitals
// that fold to other bytes, letters that lose a mark (й, ё), words that straddle block edges, words
// that mix scripts or run on into marks, and the punctuation of Russian news.
const std::vector<std::string> kCyrillicFiller{
    "войска",   "Войска", "ВОЙСКА", "и", "в", "НАТО", "нато", "Румынии", "Болгарии", "ёлка", "Ёлка",
    "заявил",   "США",    "2022г",  "COVIDа", "замо\u0301к", "Αθήνα", "ΑΘΗΝΑ", "ѓѕ", "Ӑӓ", "\u0482",
    "said", "Troops", std::string(40, 'x'), [] {
      std::string long_word;  // 80 bytes: straddles block edges wherever it falls
      for (int i = 0; i < 40; ++i) long_word += "ж";
      return long_word;
    }(),
    "абвгдежзиклмнопрстуфхцчшщъыьэюя",
    "АБВГДЕЖЗИКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдежзиклмнопрстуфхцчшщ"};
const std::vector<std::string> kRussianPunctuation{"«", "»", "\uFFFD", "—", "…", ",", ".", "\u00A0", "’"};

TEST_CASE("the engine agrees with the naive reference on long, mostly Cyrillic texts", "[term][reference]") {
  std::mt19937 rng(20261203);
  const Comparison c = compare_with_reference(
      rng, 1500, [](std::mt19937& r) { return long_text_pieces(r, kCyrillicFiller, kRussianPunctuation); });
  CHECK(c.mismatches == 0);
  CHECK(c.compared == 1500);
  CHECK(c.with_hits > 500);
}

}  // namespace
}  // namespace newswatch
