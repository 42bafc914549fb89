// The shipped watchlist on the seed article and on a film review.
#include <algorithm>
#include <catch2/catch.hpp>
#include <set>

#include "match/matcher.hpp"
#include "matcher_test_articles.hpp"

namespace newswatch {
namespace {

std::shared_ptr<const Matcher> shipped_matcher() {
  auto matcher = load_matcher({testing::shipped_watchlist()});
  if (!matcher) {
    for (const auto& error : matcher.error()) UNSCOPED_INFO(error.to_string());
  }
  REQUIRE(matcher.ok());
  return matcher.value();
}

std::set<std::string> actor_names(const MatchResult& result) {
  std::set<std::string> names;
  for (const Match& match : result.matches) {
    if (match.kind == MatchKind::actor) names.insert(match.name);
  }
  return names;
}

TEST_CASE("the shipped watchlist loads with its name and version") {
  const auto matcher = shipped_matcher();
  REQUIRE(matcher->watchlists().size() == 1);
  CHECK(matcher->watchlists()[0].name == "eastern-flank");
  CHECK(matcher->watchlists()[0].version.size() == 64);
  CHECK(matcher->rule_count() == 3);
  CHECK(matcher->term_count() > 200);
}

TEST_CASE("the seed article is one high alert naming Russia, NATO, Romania and Bulgaria") {
  const auto matcher = shipped_matcher();
  const MatchResult result = matcher->match(testing::seed_article());
  REQUIRE(result.severity.has_value());
  CHECK(*result.severity == Severity::high);
  CHECK(result.rules == std::vector<std::string>{"troop-movement", "actor-troop-movement", "watched"});
  const auto actors = actor_names(result);
  for (const char* expected :
       {"Russia", "NATO", "Romania", "Bulgaria", "Poland", "Ukraine", "United States", "France",
        "Antony Blinken", "Sergei Lavrov", "Joe Biden", "Mircea Geoană", "Klaus Iohannis", "Nicolae Ciucă"}) {
    INFO(expected);
    CHECK(actors.count(expected) == 1);
  }
  CHECK_FALSE(result.truncated);
}

TEST_CASE("the seed's withdrawal sentence alone fires the high rule") {
  const auto matcher = shipped_matcher();
  Article article;
  article.content =
      "Retorting to a question about what that would mean for Bulgaria and Romania, which joined NATO after "
      "1997, the ministry said Russia wanted all foreign troops, weapons and other military hardware "
      "withdrawn "
      "from those countries.";
  const MatchResult result = matcher->match(article);
  CHECK(result.severity == Severity::high);
}

TEST_CASE("a film review does not alert") {
  const auto matcher = shipped_matcher();
  const MatchResult result = matcher->match(testing::film_review());
  CHECK(result.rules.empty());
  CHECK_FALSE(result.severity.has_value());
  // Its everyday verbs ("is sent to stay", "moves easily") match generic_movement, which counts only
  // next to a named force; nothing of the broad tier matches.
  CHECK(actor_names(result).empty());
  CHECK_FALSE(result.matches.empty());
  for (const Match& match : result.matches) CHECK(match.name == "generic_movement");
}

TEST_CASE("an actor without any movement is the low tier only") {
  const auto matcher = shipped_matcher();
  Article article;
  article.title = "Bulgarian wine exports rise";
  article.content = "Bulgaria exported more wine to Poland last year, the ministry said.";
  const MatchResult result = matcher->match(article);
  CHECK(result.rules == std::vector<std::string>{"watched"});
  CHECK(result.severity == Severity::low);
}

TEST_CASE("a movement in one sentence and an actor in the next is medium, not high") {
  const auto matcher = shipped_matcher();
  Article article;
  article.content =
      "Two battalions were deployed overnight. Later, officials in Romania declined to comment.";
  const MatchResult result = matcher->match(article);
  CHECK(result.rules == std::vector<std::string>{"troop-movement", "watched"});
  CHECK(result.severity == Severity::medium);
}

}  // namespace
}  // namespace newswatch
