// What the matcher reports per match: kind, name, term as written, field, byte offsets, snippet.
#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "common/utf8.hpp"
#include "match/matcher.hpp"
#include "match/text_windows.hpp"

namespace newswatch {
namespace {

std::shared_ptr<const Matcher> compile(const std::string& yaml, MatcherOptions options = {}) {
  auto watchlist = parse_watchlist(yaml, "results.yaml");
  REQUIRE(watchlist.ok());
  auto matcher = Matcher::compile({std::move(watchlist.value())}, options);
  REQUIRE(matcher.ok());
  return matcher.value();
}

const std::string kWatchlist =
    "actors:\n"
    "  - name: NATO\n"
    "    aliases: [North Atlantic Treaty Organization, {text: US, match_case: true}]\n"
    "  - name: Nicolae Ciucă\n"
    "    aliases: [Ciucă]\n"
    "keywords:\n"
    "  troop_movement: [troop*, withdraw*]\n";

bool is_valid_utf8(const std::string& text) { return first_invalid_utf8(text) == text.size(); }

TEST_CASE("matches name their kind, owner, term as written, field and byte offsets") {
  const auto matcher = compile(kWatchlist);
  Article article;
  article.title = "Ciuca meets NATO";
  article.summary = "Prime Minister Ciucă spoke.";
  article.content = "Romania’s premier asked the US and us to keep troops.";
  const MatchResult result = matcher->match(article);
  REQUIRE(result.matches.size() == 5);
  struct Expected {
    MatchKind kind;
    const char* name;
    const char* term;
    MatchField field;
    const char* text;
  };
  const std::vector<Expected> expected = {
      {MatchKind::actor, "Nicolae Ciucă", "Ciucă", MatchField::title, "Ciuca"},
      {MatchKind::actor, "NATO", "NATO", MatchField::title, "NATO"},
      {MatchKind::actor, "Nicolae Ciucă", "Ciucă", MatchField::summary, "Ciucă"},
      {MatchKind::actor, "NATO", "US", MatchField::content, "US"},
      {MatchKind::keyword, "troop_movement", "troop*", MatchField::content, "troops"},
  };
  const std::string* fields[] = {&article.title, &article.summary, &article.content};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    INFO(i);
    const Match& match = result.matches[i];
    CHECK(match.kind == expected[i].kind);
    CHECK(match.name == expected[i].name);
    CHECK(match.term == expected[i].term);
    CHECK(match.field == expected[i].field);
    const std::string& field = *fields[static_cast<int>(match.field)];
    CHECK(field.substr(match.start, match.end - match.start) == expected[i].text);
  }
  CHECK(result.total_matches == 5);
  CHECK_FALSE(result.truncated);
  CHECK(std::string(to_string(MatchKind::keyword)) == "keyword");
  CHECK(std::string(to_string(MatchField::summary)) == "summary");
}

TEST_CASE("snippets hold the match, about 160 characters, cut at word boundaries, valid UTF-8") {
  const auto matcher = compile(kWatchlist);
  std::string filler;
  for (int i = 0; i < 40; ++i) filler += "Größere Ängste über Sicherheit ";
  Article article;
  article.content = filler + "and NATO said the troops would stay. " + filler;
  const MatchResult result = matcher->match(article);
  REQUIRE(result.matches.size() == 2);
  for (const Match& match : result.matches) {
    const std::string& snippet = match.snippet;
    INFO(snippet);
    CHECK(is_valid_utf8(snippet));
    CHECK(snippet.find(article.content.substr(match.start, match.end - match.start)) != std::string::npos);
    // Both edges were cut: each starts or ends with "…" next to a whole word.
    REQUIRE(snippet.rfind("…", 0) == 0);
    REQUIRE(snippet.size() > 6);
    CHECK(snippet.substr(snippet.size() - 3) == "…");
    const std::string inner = snippet.substr(3, snippet.size() - 6);
    CHECK(inner.front() != ' ');
    CHECK(inner.back() != ' ');
    const std::size_t at = article.content.find(inner);
    REQUIRE(at != std::string::npos);  // a verbatim piece of the text (no white space collapsed here)
    CHECK(article.content[at - 1] == ' ');
    CHECK(article.content[at + inner.size()] == ' ');
    const std::size_t characters =
        std::count_if(inner.begin(), inner.end(), [](char c) { return (c & 0xC0) != 0x80; });
    CHECK(characters >= 120);
    CHECK(characters <= 160);
  }
}

TEST_CASE("snippets of short texts are the whole text with white space collapsed") {
  CHECK(make_snippet("NATO  troops\n\nmoved.", 0, 4, 160) == "NATO troops moved.");
  CHECK(make_snippet("", 0, 0, 160).empty());
  // Invalid UTF-8 in the text never reaches the snippet.
  const std::string broken = "NATO \xC3 troops \xFF";
  CHECK(is_valid_utf8(make_snippet(broken, 0, 4, 160)));
  // Past the first eight ASCII bytes too (they are checked a word at a time), and valid text untouched.
  CHECK(make_snippet("NATO troops moved east \xFF again", 0, 4, 160) ==
        "NATO troops moved east \xEF\xBF\xBD again");
  CHECK(make_snippet("NATO troops reached Ciuc\xC4\x83\xE2\x80\x99s town", 0, 4, 160) ==
        "NATO troops reached Ciuc\xC4\x83\xE2\x80\x99s town");
}

// The snippet rule written the plain way: the window's slice, its edges' white space trimmed, every run
// of ASCII white space one space, invalid UTF-8 repaired.
std::string reference_snippet_body(std::string_view slice) {
  const auto space = [](char c) { return c == ' ' || (c >= '\t' && c <= '\r'); };
  while (!slice.empty() && space(slice.front())) slice.remove_prefix(1);
  while (!slice.empty() && space(slice.back())) slice.remove_suffix(1);
  std::string out;
  for (std::size_t i = 0; i < slice.size(); ++i) {
    if (!space(slice[i])) {
      out += slice[i];
    } else if (!space(slice[i - 1])) {
      out += ' ';
    }
  }
  return sanitize_utf8(out);
}

TEST_CASE("snippets collapse white space and repair UTF-8 as the plain rule does, at every position") {
  // Texts shorter than the width are whole snippets, so the body is the rule applied to the text.
  std::mt19937 random(42);
  const std::string alphabet[] = {"a", "Z", "7", ".", " ", " ", "  ", "\n", "\t", "\r\n", "\x0B", "\x0C",
                                  "\xC4\x83", "\xE2\x80\x99", "\xFF", "\xC3", "\x80"};
  for (int round = 0; round < 20000; ++round) {
    std::string text = "NATO";
    const std::size_t pieces = random() % 70;
    for (std::size_t p = 0; p < pieces; ++p) text += alphabet[random() % std::size(alphabet)];
    INFO(text);
    CHECK(make_snippet(text, 0, 4, 400) == reference_snippet_body(text));
  }
}

TEST_CASE("the match cap keeps the first matches and reports truncation") {
  MatcherOptions options;
  options.max_matches_per_article = 3;
  const auto matcher = compile(kWatchlist, options);
  Article article;
  article.title = "NATO";
  article.content = "NATO NATO troops NATO";
  const MatchResult result = matcher->match(article);
  CHECK(result.matches.size() == 3);
  CHECK(result.total_matches == 5);
  CHECK(result.truncated);
  CHECK(result.matches[0].field == MatchField::title);
  CHECK(result.matches[2].field == MatchField::content);
  CHECK(result.matches[2].start == 5);
}

TEST_CASE("match_text gives every hit of one line with kind, name, term and offsets") {
  const auto matcher = compile(kWatchlist);
  const auto hits = matcher->match_text("North Atlantic Treaty Organization troops withdrawn");
  REQUIRE(hits.size() == 3);
  CHECK(hits[0].kind == MatchKind::actor);
  CHECK(hits[0].name == "NATO");
  CHECK(hits[0].term == "North Atlantic Treaty Organization");
  CHECK(hits[0].start == 0);
  CHECK(hits[0].end == 34);
  CHECK(hits[1].term == "troop*");
  CHECK(hits[1].start == 35);
  CHECK(hits[1].end == 41);
  CHECK(hits[2].kind == MatchKind::keyword);
  CHECK(hits[2].name == "troop_movement");
  CHECK(hits[2].term == "withdraw*");
  CHECK(matcher->match_text("nothing here").empty());
  CHECK(matcher->term_count() == 7);
}

TEST_CASE("an article without matches has no rules and no severity") {
  const auto matcher = compile(kWatchlist);
  Article article;
  article.title = "Weather";
  article.content = "Sunny with a chance of rain.";
  const MatchResult result = matcher->match(article);
  CHECK(result.matches.empty());
  CHECK_FALSE(result.alerts());
  CHECK_FALSE(result.severity.has_value());
}

}  // namespace
}  // namespace newswatch
