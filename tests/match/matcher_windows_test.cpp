// Windows (paragraphs, sentences, words) and the rules evaluated over them.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "match/matcher.hpp"
#include "match/text_windows.hpp"

namespace newswatch {
namespace {

std::vector<std::string> pieces(std::string_view text, const std::vector<TextSpan>& spans) {
  std::vector<std::string> out;
  for (const TextSpan& span : spans) out.emplace_back(text.substr(span.start, span.end - span.start));
  return out;
}

TEST_CASE("paragraphs split at line breaks and skip blank lines") {
  const std::string text = "  First line.\n\nSecond\r\nThird\u2029Fourth \n \n";
  CHECK(pieces(text, split_paragraphs(text)) ==
        std::vector<std::string>{"First line.", "Second", "Third", "Fourth"});
  CHECK(split_paragraphs("").empty());
  CHECK(split_paragraphs(" \n\t\n").empty());
}

TEST_CASE("sentences split at terminators, not at abbreviations, and at paragraph breaks") {
  struct Case {
    std::string text;
    std::vector<std::string> sentences;
  };
  const std::vector<Case> cases = {
      {"U.S. troops arrived. Gen. Smith said so.", {"U.S. troops arrived.", "Gen. Smith said so."}},
      {"He said “there is no room for that.” Then he left.",
       {"He said “there is no room for that.”", "Then he left."}},
      {"They are part of Article 5. They agreed!", {"They are part of Article 5.", "They agreed!"}},
      {"Is it over?! Nobody knows… Wait.", {"Is it over?!", "Nobody knows…", "Wait."}},
      {"Talks on Jan. 21 ended. Lt. Col. Ivanov left.", {"Talks on Jan. 21 ended.", "Lt. Col. Ivanov left."}},
      {"Prices rose 2.5 percent. The bank said e.g. rates will rise.",
       {"Prices rose 2.5 percent.", "The bank said e.g. rates will rise."}},
      {"A heading without a stop\nThe body starts here. And goes on",
       {"A heading without a stop", "The body starts here.", "And goes on"}},
      {"the Russian Federation. (…) The idea", {"the Russian Federation.", "(…)", "The idea"}},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    CHECK(pieces(c.text, split_sentences(c.text)) == c.sentences);
  }
}

TEST_CASE("words are runs between separators that hold a letter or digit") {
  const std::string text = "NATO’s troops — were re-deployed , 2 km";
  const WordIndex words(text);
  // NATO’s | troops | were | re | deployed | 2 | km  ("—" and "," are no words)
  CHECK(words.word_count() == 7);
  CHECK(words.word_at(0) == 0);
  CHECK(words.word_at(text.find("troops")) == 1);
  CHECK(words.word_at(text.find("were")) == 2);
  CHECK(words.word_at(text.find("deployed")) == 4);
  CHECK(words.word_at(text.find("km")) == 6);
}

std::shared_ptr<const Matcher> compile(const std::string& yaml) {
  auto watchlist = parse_watchlist(yaml, "test.yaml");
  if (!watchlist) {
    for (const auto& e : watchlist.error()) UNSCOPED_INFO(e.to_string());
  }
  REQUIRE(watchlist.ok());
  auto matcher = Matcher::compile({std::move(watchlist.value())});
  if (!matcher) {
    for (const auto& e : matcher.error()) UNSCOPED_INFO(e.to_string());
  }
  REQUIRE(matcher.ok());
  return matcher.value();
}

std::string watchlist_with_window(const std::string& window) {
  return "actors: [NATO]\n"
         "keywords:\n"
         "  moves: [deploy*]\n"
         "rules:\n"
         "  - name: near\n"
         "    require: [actors, moves]\n"
         "    within: " +
         window +
         "\n"
         "    severity: medium\n";
}

std::vector<std::string> fired(const Matcher& matcher, const std::string& title, const std::string& content) {
  Article article;
  article.title = title;
  article.content = content;
  return matcher.match(article).rules;
}

using Rules = std::vector<std::string>;

TEST_CASE("each window kind decides whether the required matches are near enough") {
  struct Case {
    std::string window, title, content;
    bool fires;
  };
  const std::vector<Case> cases = {
      {"sentence", "", "NATO troops were deployed.", true},
      {"sentence", "", "NATO met. Troops were deployed.", false},
      {"sentence", "", "The U.S. and NATO deployed troops.", true},
      {"sentence", "NATO meets", "Troops deployed.", false},  // never across fields
      {"paragraph", "", "NATO met. Troops were deployed.\n\nNothing else.", true},
      {"paragraph", "", "NATO met.\n\nTroops were deployed.", false},
      {"article", "", "NATO met.\n\nTroops were deployed.", true},
      {"article", "NATO meets", "Troops deployed.", true},  // the article spans its fields
      {"6 words", "", "NATO one two three four five deployed", true},
      {"5 words", "", "NATO one two three four five deployed", false},
      {"1 word", "", "NATO deployed", true},
      {"1 word", "", "NATO quickly deployed", false},
      {"6 words", "", "Deployed one two three four five NATO", true},   // in either order
      {"6 words", "", "NATO one two. Three four five deployed", true},  // word windows may cross sentences
      {"6 words", "NATO one", "two three deployed", false},
  };
  for (const Case& c : cases) {
    INFO(c.window << " | " << c.title << " | " << c.content);
    const auto matcher = compile(watchlist_with_window(c.window));
    CHECK(fired(*matcher, c.title, c.content) == (c.fires ? Rules{"near"} : Rules{}));
  }
}

TEST_CASE("a rule can require another rule to have fired within its window") {
  const auto matcher = compile(
      "actors: [NATO, Russia]\n"
      "keywords:\n"
      "  forces: [troop*, battalion*]\n"
      "  moves: [deploy*, withdr*]\n"
      "rules:\n"
      "  - name: actor-movement\n"
      "    require: [actors]\n"
      "    require_rule: movement\n"
      "    within: sentence\n"
      "    severity: high\n"
      "  - name: movement\n"
      "    require: [forces, moves]\n"
      "    within: 3 words\n"
      "    severity: medium\n");
  CHECK(fired(*matcher, "", "Battalions were deployed. Russia said nothing.") == Rules{"movement"});
  CHECK(fired(*matcher, "", "Russia said battalions were deployed.") == Rules{"actor-movement", "movement"});
  CHECK(fired(*matcher, "", "Russia said troops would, after many delays, finally withdraw.") == Rules{});
  Article article;
  article.title = "Russia";
  article.content = "Battalions deployed.";
  const MatchResult result = matcher->match(article);
  CHECK(result.rules == Rules{"movement"});
  CHECK(result.severity == Severity::medium);
}

TEST_CASE("any: alternatives and included groups") {
  const auto matcher = compile(
      "actors: [NATO]\n"
      "keywords:\n"
      "  invasion: [invasion]\n"
      "  moves: [deploy*, {group: invasion}]\n"
      "  forces: [troop*]\n"
      "rules:\n"
      "  - name: either\n"
      "    require: [{any: [forces, NATO]}, moves]\n"
      "    within: sentence\n");
  CHECK(fired(*matcher, "", "NATO deployed.") == Rules{"either"});
  CHECK(fired(*matcher, "", "Troops deployed.") == Rules{"either"});
  CHECK(fired(*matcher, "", "Troops and an invasion.") == Rules{"either"});  // via the included group
  CHECK(fired(*matcher, "", "Deployed.") == Rules{});
  Article article;
  article.content = "NATO feared an invasion.";
  const auto matches = matcher->match(article).matches;
  REQUIRE(matches.size() == 2);
  CHECK(matches[1].name == "invasion");  // reported under the group whose term matched
}

TEST_CASE("without rules, any match alerts with severity low") {
  const auto matcher = compile("name: plain\nactors: [NATO]\nkeywords:\n  moves: [deploy*]\n");
  Article article;
  article.content = "The plan was deployed on Monday.";
  const MatchResult result = matcher->match(article);
  CHECK(result.rules == Rules{"any-match (plain)"});
  CHECK(result.severity == Severity::low);
  article.content = "Nothing to see.";
  CHECK_FALSE(matcher->match(article).alerts());
}

TEST_CASE("several watchlists: names resolve across files, 'actors' means the rule's own watchlist's") {
  auto a = parse_watchlist("actors: [NATO]\nkeywords:\n  moves: [deploy*]\n", "a.yaml");
  auto b = parse_watchlist(
      "actors: [Russia]\n"
      "rules:\n"
      "  - name: russian-move\n"
      "    require: [actors, moves]\n"
      "    within: sentence\n"
      "    severity: high\n",
      "b.yaml");
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  auto matcher = Matcher::compile({std::move(a.value()), std::move(b.value())});
  REQUIRE(matcher.ok());
  REQUIRE((*matcher)->watchlists().size() == 2);
  CHECK((*matcher)->watchlists()[1].name == "b");
  CHECK(fired(**matcher, "", "Russia deployed.") == Rules{"any-match (a)", "russian-move"});
  CHECK(fired(**matcher, "", "NATO deployed.") == Rules{"any-match (a)"});
}

}  // namespace
}  // namespace newswatch
