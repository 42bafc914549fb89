// Loading watchlists: the accepted format, and every kind of problem with its file:line:column.
#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

#include "common/sha256.hpp"
#include "fixtures.hpp"
#include "match/matcher.hpp"
#include "match/watchlist.hpp"
#include "matcher_test_articles.hpp"

namespace newswatch {
namespace {

using Files = std::vector<std::pair<std::string, std::string>>;  // file name, YAML text

// Every problem of loading these files together, as the daemon would print them.
std::vector<std::string> problems(const Files& files) {
  std::vector<Watchlist> watchlists;
  std::vector<std::string> out;
  for (const auto& [name, yaml] : files) {
    auto parsed = parse_watchlist(yaml, name);
    if (parsed) {
      watchlists.push_back(std::move(parsed.value()));
    } else {
      for (const auto& error : parsed.error()) out.push_back(error.to_string());
    }
  }
  if (!out.empty()) return out;
  auto compiled = Matcher::compile(std::move(watchlists));
  if (!compiled) {
    for (const auto& error : compiled.error()) out.push_back(error.to_string());
  }
  return out;
}

const std::string kValid =
    "actors:\n"
    "  - name: NATO\n"
    "    aliases:\n"
    "      - North Atlantic Treaty Organization\n"
    "      - text: US\n"
    "        match_case: true\n"
    "  - Romania\n"
    "keywords:\n"
    "  troop_movement: [troop*, military presence, withdraw*, deploy*]\n"
    "rules:\n"
    "  - name: actor-near-troop-movement\n"
    "    require: [actors, troop_movement]\n"
    "    within: sentence\n"
    "    severity: high\n";

TEST_CASE("a valid watchlist loads with its actors, groups, rules, name and version") {
  auto loaded = parse_watchlist(kValid, "config/watchlists/flank.yaml");
  REQUIRE(loaded.ok());
  const Watchlist& watchlist = loaded.value();
  CHECK(watchlist.name == "flank");
  CHECK(watchlist.file == "config/watchlists/flank.yaml");
  CHECK(watchlist.version == sha256_hex(kValid));
  REQUIRE(watchlist.actors.size() == 2);
  CHECK(watchlist.actors[0].name == "NATO");
  REQUIRE(watchlist.actors[0].terms.size() == 3);
  CHECK(watchlist.actors[0].terms[0].spec.text == "NATO");
  CHECK(watchlist.actors[0].terms[2].spec.text == "US");
  CHECK(watchlist.actors[0].terms[2].spec.match_case);
  CHECK(watchlist.actors[0].terms[2].line == 5);
  CHECK(watchlist.actors[0].terms[2].column == 9);
  CHECK(watchlist.actors[1].name == "Romania");
  REQUIRE(watchlist.keyword_groups.size() == 1);
  CHECK(watchlist.keyword_groups[0].terms.size() == 4);
  REQUIRE(watchlist.rules.size() == 1);
  CHECK(watchlist.rules[0].within == RuleWindow{RuleWindow::Kind::sentence, 0});
  CHECK(watchlist.rules[0].severity == Severity::high);
  CHECK(watchlist.rules[0].requirements.size() == 2);
  CHECK(problems({{"a.yaml", kValid}}).empty());
}

TEST_CASE("a top-level name overrides the file stem") {
  auto loaded = parse_watchlist("name: flank-2\nactors: [NATO]\n", "x/flank.yaml");
  REQUIRE(loaded.ok());
  CHECK(loaded->name == "flank-2");
}

TEST_CASE("the rule syntax: windows, severities, any:, rule: and require_rule") {
  CHECK(parse_window("article") == RuleWindow{RuleWindow::Kind::article, 0});
  CHECK(parse_window("paragraph") == RuleWindow{RuleWindow::Kind::paragraph, 0});
  CHECK(parse_window("6 words") == RuleWindow{RuleWindow::Kind::words, 6});
  CHECK(parse_window("1 word") == RuleWindow{RuleWindow::Kind::words, 1});
  CHECK_FALSE(parse_window("0 words"));
  CHECK_FALSE(parse_window("6words"));
  CHECK_FALSE(parse_window("2 word"));
  CHECK_FALSE(parse_window("page"));
  CHECK(to_string(RuleWindow{RuleWindow::Kind::words, 6}) == "6 words");
  CHECK(parse_severity("medium") == Severity::medium);
  CHECK_FALSE(parse_severity("critical"));

  const std::string yaml =
      "actors: [NATO, Russia]\n"
      "keywords:\n"
      "  moves: [deploy*]\n"
      "rules:\n"
      "  - name: base\n"
      "    require: [{any: [NATO, moves]}]\n"
      "  - name: derived\n"
      "    require: [Russia, {rule: base}]\n"
      "    require_rule: [base]\n"
      "    within: 6 words\n";
  auto loaded = parse_watchlist(yaml, "r.yaml");
  REQUIRE(loaded.ok());
  const auto& rules = loaded->rules;
  REQUIRE(rules.size() == 2);
  CHECK(rules[0].severity == Severity::low);  // the default
  CHECK(rules[0].within.kind == RuleWindow::Kind::article);
  REQUIRE(rules[0].requirements.size() == 1);
  CHECK(rules[0].requirements[0].any_of.size() == 2);
  REQUIRE(rules[1].requirements.size() == 3);
  CHECK(rules[1].requirements[1].any_of[0].kind == RuleReference::Kind::rule);
  CHECK(rules[1].requirements[2].any_of[0].kind == RuleReference::Kind::rule);
  CHECK(rules[1].requirements[2].any_of[0].line == 9);
  CHECK(problems({{"r.yaml", yaml}}).empty());
}

struct ProblemCase {
  const char* what;
  Files files;
  std::vector<std::string> expected;  // an entry ending in "..." is a prefix
};

TEST_CASE("every loading problem is reported with its position") {
  const std::vector<ProblemCase> cases = {
      {"YAML syntax error, 1-based position",
       {{"a.yaml", "actors:\n  - name: NATO\n    aliases: [Alliance\n"}},
       {"a.yaml:4:1: end of sequence flow not found"}},
      {"unknown top-level key",
       {{"a.yaml", "actors: [NATO]\nactor: [Russia]\n"}},
       {"a.yaml:2:1: unknown key 'actor' (expected name, description, actors, keywords, rules)"}},
      {"unknown key in an actor",
       {{"a.yaml", "actors:\n  - name: NATO\n    alias: [OTAN]\n"}},
       {"a.yaml:3:5: unknown key 'alias' in an actor (expected name, aliases, match_case, description)"}},
      {"unknown key in a term",
       {{"a.yaml", "actors:\n  - name: NATO\n    aliases: [{text: OTAN, case: true}]\n"}},
       {"a.yaml:3:28: unknown key 'case' in a term (expected text, match_case)"}},
      {"match_case that is not a boolean",
       {{"a.yaml", "actors:\n  - name: NATO\n    aliases: [{text: OTAN, match_case: maybe}]\n"}},
       {"a.yaml:3:40: match_case must be true or false"}},
      {"unknown key in a rule",
       {{"a.yaml", "actors: [NATO]\nrules:\n  - name: r\n    require: [NATO]\n    level: high\n"}},
       {"a.yaml:5:5: unknown key 'level' in a rule (expected name, require, require_rule, within, severity, "
        "description)"}},
      {"bad severity",
       {{"a.yaml", "actors: [NATO]\nrules:\n  - name: r\n    require: [NATO]\n    severity: critical\n"}},
       {"a.yaml:5:15: bad severity 'critical' (expected high, medium or low)"}},
      {"bad window",
       {{"a.yaml", "actors: [NATO]\nrules:\n  - name: r\n    require: [NATO]\n    within: 6 wrds\n"}},
       {"a.yaml:5:13: bad window '6 wrds' (expected sentence, paragraph, article or \"N words\")"}},
      {"rule that requires nothing",
       {{"a.yaml", "actors: [NATO]\nrules:\n  - name: r\n    severity: high\n"}},
       {"a.yaml:3:5: rule 'r' requires nothing: give it 'require' or 'require_rule'"}},
      {"rule without a name",
       {{"a.yaml", "actors: [NATO]\nrules:\n  - require: [NATO]\n"}},
       {"a.yaml:3:5: a rule needs a name"}},
      {"empty watchlist",
       {{"a.yaml", "name: x\n"}},
       {"a.yaml:1:1: a watchlist needs actors, keywords or rules"}},
      {"rule naming an unknown group",
       {{"a.yaml", "actors: [NATO]\nrules:\n  - name: r\n    require: [NATO, troop_moves]\n"}},
       {"a.yaml:4:21: rule 'r' names unknown actor or keyword group 'troop_moves'"}},
      {"rule naming a rule without saying so",
       {{"a.yaml",
         "actors: [NATO]\nrules:\n  - name: r\n    require: [NATO]\n  - name: s\n    require: [r]\n"}},
       {"a.yaml:6:15: rule 's' names unknown actor or keyword group 'r' (to require a rule, write {rule: r} "
        "or "
        "require_rule)"}},
      {"unknown required rule",
       {{"a.yaml",
         "actors: [NATO]\nrules:\n  - name: r\n    require: [NATO]\n    require_rule: troop-movement\n"}},
       {"a.yaml:5:19: rule 'r' requires unknown rule 'troop-movement'"}},
      {"rules requiring each other",
       {{"a.yaml",
         "actors: [NATO]\nrules:\n  - name: r\n    require_rule: s\n  - name: s\n    require_rule: r\n"}},
       {"a.yaml:3:5: rule 'r' requires itself through a cycle of rules"}},
      {"'actors' in a watchlist without actors",
       {{"a.yaml", "keywords:\n  moves: [deploy*]\nrules:\n  - name: r\n    require: [actors, moves]\n"}},
       {"a.yaml:5:15: rule 'r' requires 'actors' but watchlist 'a' has none"}},
      {"duplicate actor across files",
       {{"a.yaml", "actors: [NATO]\n"}, {"b.yaml", "actors:\n  - Russia\n  - NATO\n"}},
       {"b.yaml:3:5: duplicate name: actor 'NATO' is already the actor at a.yaml:1:10"}},
      {"duplicate group across files, and an actor named like a group",
       {{"a.yaml", "keywords:\n  moves: [deploy*]\n"},
        {"b.yaml", "keywords:\n  moves: [withdraw*]\nactors: [moves]\n"}},
       {"b.yaml:3:10: duplicate name: actor 'moves' is already the keyword group at a.yaml:2:3",
        "b.yaml:2:3: duplicate name: keyword group 'moves' is already the keyword group at a.yaml:2:3"}},
      {"duplicate rule across files",
       {{"a.yaml", "actors: [NATO]\nrules:\n  - name: r\n    require: [NATO]\n"},
        {"b.yaml", "actors: [Russia]\nrules:\n  - name: r\n    require: [Russia]\n"}},
       {"b.yaml:3:5: duplicate rule 'r' (first defined at a.yaml:3:5)"}},
      {"invalid terms",
       {{"a.yaml", "keywords:\n  moves: [deploy*, '', '*']\n"}},
       {"a.yaml:2:20: invalid term '': ...", "a.yaml:2:24: invalid term '*': ..."}},
      {"a group including an unknown group",
       {{"a.yaml", "keywords:\n  moves: [deploy*, {group: invasions}]\n"}},
       {"a.yaml:2:20: keyword group 'moves' includes unknown keyword group 'invasions'"}},
      {"all problems of several files at once",
       {{"a.yaml",
         "actors: [NATO]\nrules:\n  - name: r\n    require: [NATO]\n    severity: loud\n    within: page\n"},
        {"b.yaml", "actors: 7\n"}},
       {"a.yaml:6:13: bad window 'page' (expected sentence, paragraph, article or \"N words\")",
        "a.yaml:5:15: bad severity 'loud' (expected high, medium or low)",
        "b.yaml:1:9: actors must be a list", "b.yaml:1:1: a watchlist needs actors, keywords or rules"}},
  };
  for (const ProblemCase& c : cases) {
    INFO(c.what);
    const auto found = problems(c.files);
    REQUIRE(found.size() == c.expected.size());
    for (std::size_t i = 0; i < found.size(); ++i) {
      const std::string& expected = c.expected[i];
      if (expected.size() > 3 && expected.compare(expected.size() - 3, 3, "...") == 0) {
        CHECK(found[i].substr(0, expected.size() - 3) == expected.substr(0, expected.size() - 3));
      } else {
        CHECK(found[i] == expected);
      }
    }
  }
}

TEST_CASE("a missing file is a problem without a position, and load_matcher gathers every file's problems") {
  const auto missing = testing::tests_dir() / "fixtures" / "watchlists" / "no-such-file.yaml";
  auto loaded =
      load_matcher({missing, testing::tests_dir() / "fixtures" / "watchlists" / "quality-probe.yaml"});
  REQUIRE_FALSE(loaded.ok());
  REQUIRE(loaded.error().size() == 1);
  CHECK(loaded.error()[0].to_string() ==
        missing.string() + ": cannot read the watchlist file: No such file or directory");
}

}  // namespace
}  // namespace newswatch

namespace newswatch {

TEST_CASE("a watchlist with more terms than the limit is a load error naming the file") {
  const std::string yaml =
      "actors:\n"
      "  - name: NATO\n"
      "    aliases: [North Atlantic Treaty Organization, Alliance]\n"
      "keywords:\n"
      "  moves: [deploy*, withdraw*]\n";
  // Five terms: the limit admits exactly that many.
  CHECK(parse_watchlist(yaml, "big.yaml", WatchlistLimits{5}));
  const auto refused = parse_watchlist(yaml, "watchlists/big.yaml", WatchlistLimits{4});
  REQUIRE_FALSE(refused);
  REQUIRE(refused.error().size() == 1);
  CHECK(
      refused.error()[0].to_string() ==
      "watchlists/big.yaml:5:20: too many terms: the limit is 4 per watchlist (split the file, or raise the "
      "limit)");
  const auto actors_only = parse_watchlist("actors: [A, B, C]\n", "a.yaml", WatchlistLimits{2});
  REQUIRE_FALSE(actors_only);
  CHECK(actors_only.error()[0].to_string() ==
        "a.yaml:1:16: too many terms: the limit is 2 per watchlist (split the file, or raise the limit)");
  CHECK(WatchlistLimits{}.max_terms == 200000);
}

TEST_CASE("load_matcher applies the term limit of its options to every file") {
  MatcherOptions options;
  options.watchlist_limits.max_terms = 3;
  const auto loaded = load_matcher({testing::shipped_watchlist()}, options);
  REQUIRE_FALSE(loaded);
  REQUIRE(loaded.error().size() == 1);
  CHECK(loaded.error()[0].file == testing::shipped_watchlist().string());
  CHECK(loaded.error()[0].message.find("too many terms") == 0);
  CHECK(load_matcher({testing::shipped_watchlist()}));
}

}  // namespace newswatch

namespace newswatch {

TEST_CASE("a watchlist file over the size limit is refused without being read whole") {
  WatchlistLimits limits;
  limits.max_file_bytes = 1000;
  const auto shipped = load_watchlist(testing::shipped_watchlist(), limits);
  REQUIRE_FALSE(shipped);
  CHECK(shipped.error()[0].to_string() ==
        testing::shipped_watchlist().string() + ": the file is larger than the limit of 1000 bytes");
  // An endless file (a mistaken path) ends at the limit, not in memory exhaustion.
  const auto endless = load_watchlist("/dev/zero", limits);
  REQUIRE_FALSE(endless);
  CHECK(endless.error()[0].message.find("larger than the limit") != std::string::npos);
  CHECK(load_watchlist(testing::shipped_watchlist()));
}

}  // namespace newswatch
