// The term engine's rules, one table row per behaviour the README promises.
#include "match/term_matcher.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <tuple>
#include <vector>

namespace newswatch {
namespace {

struct Expected {
  std::uint32_t term;
  std::string matched;  // the original bytes the hit covers
  bool operator==(const Expected& other) const { return term == other.term && matched == other.matched; }
};

std::ostream& operator<<(std::ostream& out, const Expected& e) {
  return out << "{term " << e.term << ": \"" << e.matched << "\"}";
}

std::shared_ptr<const TermMatcher> compile_ok(const std::vector<TermSpec>& terms) {
  auto compiled = TermMatcher::compile(terms);
  if (!compiled) {
    for (const TermError& e : compiled.error()) FAIL("term " << e.term << ": " << e.message);
  }
  REQUIRE(compiled.ok());
  return compiled.value();
}

std::vector<Expected> matched(const std::vector<TermSpec>& terms, const std::string& text) {
  std::vector<Expected> result;
  for (const TermHit& hit : compile_ok(terms)->find_all(text)) {
    REQUIRE(hit.start < hit.end);
    REQUIRE(hit.end <= text.size());
    result.push_back({hit.term, text.substr(hit.start, hit.end - hit.start)});
  }
  return result;
}

TermSpec folded(std::string text) { return {std::move(text), false}; }
TermSpec cased(std::string text) { return {std::move(text), true}; }

struct Row {
  const char* what;
  std::vector<TermSpec> terms;
  std::string text;
  std::vector<Expected> expected;
};

void check_rows(const std::vector<Row>& rows) {
  for (const Row& row : rows) {
    INFO(row.what << " | text: \"" << row.text << "\"");
    CHECK(matched(row.terms, row.text) == row.expected);
  }
}

TEST_CASE("terms ignore case and diacritics", "[term]") {
  check_rows({
      {"plain", {folded("NATO")}, "NATO forces", {{0, "NATO"}}},
      {"lower text", {folded("NATO")}, "a nato summit", {{0, "nato"}}},
      {"precomposed mark", {folded("Ciuca")}, "Nicolae Ciucă said", {{0, "Ciucă"}}},
      {"decomposed mark is matched in full", {folded("Ciuca")}, "Ciuca\u0306 said", {{0, "Ciuca\u0306"}}},
      {"term with a mark", {folded("Ciucă")}, "CIUCA", {{0, "CIUCA"}}},
      {"several marks", {folded("Sao Tome")}, "São Tomé", {{0, "São Tomé"}}},
      {"Cyrillic folds", {folded("НАТО")}, "саммит нато", {{0, "нато"}}},
      {"Cyrillic term lower", {folded("нато")}, "НАТО", {{0, "НАТО"}}},
      {"Greek folds, accents drop", {folded("Αθήνα")}, "ΑΘΗΝΑ και αθηνα", {{0, "ΑΘΗΝΑ"}, {0, "αθηνα"}}},
      {"full folding: sharp s", {folded("strasse")}, "Die Straße", {{0, "Straße"}}},
      {"full folding: capital sharp s", {folded("Straße")}, "STRASSE \u1E9Ee", {{0, "STRASSE"}}},
      {"NFKD ligature", {folded("fire")}, "the \uFB01re", {{0, "\uFB01re"}}},
      {"NFKD fullwidth", {folded("NATO")}, "\uFF2E\uFF21\uFF34\uFF2F", {{0, "\uFF2E\uFF21\uFF34\uFF2F"}}},
      {"digits are word characters", {folded("F16")}, "an F16, F-16 or F160", {{0, "F16"}}},
  });
}

TEST_CASE("match_case terms skip only the folding", "[term]") {
  check_rows({
      {"exact case", {cased("US")}, "US troops", {{0, "US"}}},
      {"other case", {cased("US")}, "tell us", {}},
      {"marks still drop", {cased("US")}, "ÚS", {{0, "ÚS"}}},
      {"NFKD still applies", {cased("US")}, "\uFF35\uFF33", {{0, "\uFF35\uFF33"}}},
      {"no full folding", {cased("SS")}, "ß SS", {{0, "SS"}}},
      {"mixed with a folded term", {cased("US"), folded("us")}, "US us", {{0, "US"}, {1, "US"}, {1, "us"}}},
  });
}

TEST_CASE("a match needs no letter or digit just outside it", "[term]") {
  check_rows({
      {"possessive", {folded("NATO")}, "NATO's flank", {{0, "NATO"}}},
      {"curly possessive", {folded("NATO")}, "NATO’s flank", {{0, "NATO"}}},
      {"plural is another word", {folded("NATO")}, "NATOs", {}},
      {"prefix is another word", {folded("NATO")}, "antiNATO", {}},
      {"digit after", {folded("NATO")}, "NATO2", {}},
      {"digit before", {folded("NATO")}, "2NATO", {}},
      {"underscore is punctuation", {folded("NATO")}, "_NATO_", {{0, "NATO"}}},
      {"start of text", {folded("NATO")}, "NATO", {{0, "NATO"}}},
      {"guillemets", {folded("NATO")}, "«NATO»", {{0, "NATO"}}},
      {"parentheses around punctuation", {folded("U.S.")}, "(U.S.)", {{0, "U.S."}}},
      {"punctuation term then a letter", {folded("U.S.")}, "U.S.A.", {}},
      {"term ends inside a token", {folded("U.S")}, "U.S.", {{0, "U.S"}}},
      {"punctuation term after a letter", {folded("'s")}, "NATO's", {}},
      {"punctuation term after punctuation", {folded("'s")}, "('s)", {{0, "'s"}}},
      {"letter after a mark", {folded("a")}, "a\u0301b", {}},
      {"partial character never matches", {folded("1")}, "½", {}},
      {"whole compatibility character", {folded("1⁄2")}, "½", {{0, "½"}}},
  });
}

TEST_CASE("words of a term match across any run of separators", "[term]") {
  const std::vector<TermSpec> build_up{folded("troop build-up")};
  check_rows({
      {"space", build_up, "troop build up", {{0, "troop build up"}}},
      {"hyphens", build_up, "troop-build-up", {{0, "troop-build-up"}}},
      {"joined is another word", build_up, "troop buildup", {}},
      {"run of mixed separators", build_up, "troop \t\n build - up", {{0, "troop \t\n build - up"}}},
      {"U+2010", build_up, "troop\u2010build\u2010up", {{0, "troop\u2010build\u2010up"}}},
      {"U+2011", build_up, "troop\u2011build\u2011up", {{0, "troop\u2011build\u2011up"}}},
      {"U+2012", build_up, "troop\u2012build\u2012up", {{0, "troop\u2012build\u2012up"}}},
      {"U+2013", build_up, "troop\u2013build\u2013up", {{0, "troop\u2013build\u2013up"}}},
      {"U+2014", build_up, "troop\u2014build\u2014up", {{0, "troop\u2014build\u2014up"}}},
      {"U+2015", build_up, "troop\u2015build\u2015up", {{0, "troop\u2015build\u2015up"}}},
      {"NBSP", build_up, "troop\u00A0build\u00A0up", {{0, "troop\u00A0build\u00A0up"}}},
      {"em space and ideographic space",
       build_up,
       "troop\u2003build\u3000up",
       {{0, "troop\u2003build\u3000up"}}},
      {"line and paragraph separators",
       build_up,
       "troop\u2028build\u2029up",
       {{0, "troop\u2028build\u2029up"}}},
      {"NEL and vertical tab", build_up, "troop\u0085build\vup", {{0, "troop\u0085build\vup"}}},
      {"punctuation is not a separator", build_up, "troop.build.up", {}},
      {"term written with other separators",
       {folded("troop\u2013build \t up")},
       "troop build up",
       {{0, "troop build up"}}},
      {"separators around a term are ignored", {folded("  NATO\u00A0")}, "NATO", {{0, "NATO"}}},
      {"words across a line break",
       {folded("United Nations")},
       "the United\nNations",
       {{0, "United\nNations"}}},
  });
}

TEST_CASE("a trailing star lets the last word run on", "[term]") {
  check_rows({
      {"word alone", {folded("withdraw*")}, "withdraw", {{0, "withdraw"}}},
      {"run on", {folded("withdraw*")}, "withdrawn withdrawal", {{0, "withdrawn"}, {0, "withdrawal"}}},
      {"folded", {folded("withdraw*")}, "WITHDRAWALS", {{0, "WITHDRAWALS"}}},
      {"run on stops at punctuation", {folded("withdraw*")}, "withdrawn's", {{0, "withdrawn"}}},
      {"run on includes digits", {folded("f1*")}, "f16", {{0, "f16"}}},
      {"still needs a boundary before", {folded("withdraw*")}, "unwithdrawn", {}},
      {"prefix must match", {folded("withdraw*")}, "withdrew", {}},
      {"last word of many", {folded("troop withdraw*")}, "troop-withdrawals", {{0, "troop-withdrawals"}}},
      {"after punctuation", {folded("U.S.*")}, "U.S.A and U.S. and U.S", {{0, "U.S.A"}, {0, "U.S."}}},
      {"inside a word with punctuation", {folded("d'ivo*")}, "Côte d'Ivoire", {{0, "d'Ivoire"}}},
      {"wildcard over diacritics", {folded("Ciuc*")}, "Ciucă", {{0, "Ciucă"}}},
      {"wildcard Cyrillic", {folded("росси*")}, "России", {{0, "России"}}},
      {"match_case wildcard", {cased("NAT*")}, "NATO nato", {{0, "NATO"}}},
  });
}

TEST_CASE("every position of every term is reported, in order", "[term]") {
  check_rows({
      {"overlapping terms",
       {folded("United States Army"), folded("States"), folded("United States")},
       "United States Army",
       {{2, "United States"}, {0, "United States Army"}, {1, "States"}}},
      {"duplicate terms both report", {folded("NATO"), folded("nato")}, "NATO", {{0, "NATO"}, {1, "NATO"}}},
      {"same term repeated", {folded("NATO")}, "NATO, NATO; NATO", {{0, "NATO"}, {0, "NATO"}, {0, "NATO"}}},
      {"term within a longer term's text",
       {folded("d'Ivoire"), folded("Côte d’Ivoire")},
       "Côte d’Ivoire / Cote d'Ivoire",
       {{1, "Côte d’Ivoire"}, {0, "d'Ivoire"}}},
      {"self-overlapping multi-word term", {folded("a a")}, "a a a", {{0, "a a"}, {0, "a a"}}},
  });
}

// The matcher looks for terms that start with a common word ("the", "de") from their second word;
// these rows hold it to the rules wherever the skip over irrelevant text has to give way.
TEST_CASE("terms that start with a common word match like any other", "[term]") {
  // Put "the" at the end of one 64-byte block and "United" at the start of the next, or "the" across
  // the edge.
  const std::string filler(59, 'x'), straddle(61, 'x');
  const std::vector<TermSpec> terms{folded("the United States"), folded("United States"),
                                    folded("de Gaulle")};
  check_rows({
      {"both terms", terms, "in the United States today", {{0, "the United States"}, {1, "United States"}}},
      {"only the second", terms, "the, United States", {{1, "United States"}}},
      {"separators", terms, "The\u00A0united \t States",
       {{0, "The\u00A0united \t States"}, {1, "united \t States"}}},
      {"curly quotes around", terms, "\u201Cthe United States\u201D",
       {{0, "the United States"}, {1, "United States"}}},
      {"across a block edge", terms, filler + " the United States",
       {{0, "the United States"}, {1, "United States"}}},
      {"the common word across a block edge", terms, straddle + " the United States",
       {{0, "the United States"}, {1, "United States"}}},
      {"second word runs into Cyrillic", terms, "the Unitedй States", {}},
      {"second word not ASCII",
       {folded("the Straße"), folded("de Ciucă")},
       "the Straße, de Ciuca\u0306 and de Ciucă",
       {{0, "the Straße"}, {1, "de Ciuca\u0306"}, {1, "de Ciucă"}}},
      {"second word Cyrillic", {folded("the НАТО")}, "the нато", {{0, "the нато"}}},
      {"Cyrillic after the common word", terms, "the нато United States", {{1, "United States"}}},
      {"after Cyrillic text", terms, "войска the United States",
       {{0, "the United States"}, {1, "United States"}}},
      {"a name particle", terms, "Charles de Gaulle; DE GAULLE", {{2, "de Gaulle"}, {2, "DE GAULLE"}}},
      {"a common word that is a term alone is not deferred",
       {folded("the"), folded("the end")},
       "the end",
       {{0, "the"}, {1, "the end"}}},
      {"a second word that is a prefix", {folded("the unit*")}, "the units", {{0, "the units"}}},
      {"common word after an accented word", terms, "Ciucă the United States",
       {{0, "the United States"}, {1, "United States"}}},
      {"initials",
       {folded("A. Q. Khan"), folded("S. Arabia")},
       "Dr A. Q. Khan, a. q.  khan, a.q. khan, A Q Khan; s. arabia",
       {{0, "A. Q. Khan"}, {0, "a. q.  khan"}, {1, "s. arabia"}}},
      {"initials when punctuation may start a term",
       {folded("A. Q. Khan"), folded("#tag")},
       "A. Q. Khan #tag a. q. khan",
       {{0, "A. Q. Khan"}, {1, "#tag"}, {0, "a. q. khan"}}},
      {"punctuation that may start a term between", {folded("a (b) c"), folded("#tag")}, "a (b) c",
       {{0, "a (b) c"}}},
      {"an initial across a block edge", {folded("A. Q. Khan")}, straddle + " A. Q. Khan",
       {{0, "A. Q. Khan"}}},
  });
}

TEST_CASE("offsets are bytes of the original text", "[term]") {
  const auto matcher = compile_ok({folded("NATO"), folded("Ciuca"), folded("нато")});
  const std::string text = "«NATO» Ciucă, нато";
  const std::vector<TermHit> hits = matcher->find_all(text);
  REQUIRE(hits.size() == 3);
  CHECK(hits[0].term == 0);
  CHECK(hits[0].start == 2);  // « is two bytes
  CHECK(hits[0].end == 6);
  CHECK(hits[1].term == 1);
  CHECK(hits[1].start == 9);
  CHECK(hits[1].end == 15);  // ă is two bytes
  CHECK(hits[2].term == 2);
  CHECK(hits[2].start == 17);
  CHECK(hits[2].end == 25);
  CHECK(matcher->term_count() == 3);
}

TEST_CASE("invalid UTF-8 in text is a character that is neither letter nor separator", "[term]") {
  check_rows({
      {"stray byte after", {folded("NATO")}, "NATO\xFFx", {{0, "NATO"}}},
      {"stray bytes around", {folded("NATO")}, "\xFFNATO\xFF", {{0, "NATO"}}},
      {"truncated sequence at the end", {folded("NATO")}, "NATO\xE2\x80", {{0, "NATO"}}},
      {"not a separator",
       {folded("troop build")},
       "troop\xFF"
       "build",
       {}},
      {"overlong encoding",
       {folded("a")},
       "\xC0\xAF"
       "a\xED\xA0\x80",
       {{0, "a"}}},
      {"lone continuation bytes", {folded("b")}, "\x80\x80 b \xBF", {{0, "b"}}},
  });
}

TEST_CASE("invalid terms are all reported", "[term]") {
  const std::vector<TermSpec> terms{folded(""),       folded("*"),       folded("  - "),
                                    folded("–"),      folded("NATO"),    folded("\u00A0\u3000"),
                                    folded("\u0301"), folded("troop *"), cased("bad\xFF"),
                                    folded(" * ")};
  auto compiled = TermMatcher::compile(terms);
  REQUIRE_FALSE(compiled.ok());
  std::vector<std::size_t> failing;
  for (const TermError& e : compiled.error()) {
    failing.push_back(e.term);
    CHECK_FALSE(e.message.empty());
  }
  CHECK(failing == std::vector<std::size_t>{0, 1, 2, 3, 5, 6, 7, 8, 9});
  CHECK(compiled.error()[0].message == "term is empty");
  CHECK(compiled.error()[1].message == "term is only '*'");
  CHECK(compiled.error()[2].message == "term is only separators");
}

TEST_CASE("no terms and empty texts are fine", "[term]") {
  CHECK(compile_ok({})->find_all("NATO").empty());
  CHECK(compile_ok({})->term_count() == 0);
  CHECK(compile_ok({folded("NATO")})->find_all("").empty());
  CHECK(compile_ok({cased("NATO")})->find_all("   ").empty());
}

}  // namespace
}  // namespace newswatch
