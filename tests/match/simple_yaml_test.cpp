// The fast YAML reader must give yaml-cpp's tree (kinds, scalars, marks, order) for everything it
// accepts: held against yaml-cpp on the repository's YAML files, on hand-written edge cases and on
// generated watchlists.
#include "match/detail/simple_yaml.hpp"

#include <yaml-cpp/yaml.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "fixtures.hpp"

namespace newswatch::match_detail {
namespace {

// "" when the trees agree, else where they first differ.
std::string difference(const YAML::Node& expected, const SimpleYamlNode& actual, const std::string& path) {
  std::ostringstream out;
  const auto mark = expected.Mark();
  if (mark.line != actual.Mark().line || mark.column != actual.Mark().column) {
    out << path << ": mark " << mark.line << ":" << mark.column << " vs " << actual.Mark().line << ":"
        << actual.Mark().column;
    return out.str();
  }
  if (expected.IsScalar() != actual.IsScalar() || expected.IsMap() != actual.IsMap() ||
      expected.IsSequence() != actual.IsSequence())
    return path + ": kind";
  if (expected.IsScalar()) {
    return expected.Scalar() == actual.Scalar()
               ? ""
               : path + ": '" + expected.Scalar() + "' vs '" + actual.Scalar() + "'";
  }
  if (expected.size() != actual.size()) return path + ": size";
  auto it = actual.begin();
  std::size_t index = 0;
  for (const auto& entry : expected) {
    const auto got = *it;
    std::string found;
    if (expected.IsMap()) {
      found = difference(entry.first, got.first, path + "/key" + std::to_string(index));
      if (found.empty()) found = difference(entry.second, got.second, path + "/" + entry.first.Scalar());
      if (found.empty() && !(actual[entry.first.Scalar()]))
        found = path + ": lookup of " + entry.first.Scalar();
    } else {
      found = difference(entry, got, path + "/" + std::to_string(index));
    }
    if (!found.empty()) return found;
    ++it;
    ++index;
  }
  return "";
}

struct Tally {
  std::size_t accepted = 0;
  std::size_t refused = 0;
  std::vector<std::string> differences;
};

void compare(const std::string& yaml, Tally& tally) {
  const auto fast = SimpleYamlDocument::parse(yaml);
  if (!fast) {
    ++tally.refused;
    return;
  }
  ++tally.accepted;
  try {
    const std::string found = difference(YAML::Load(yaml), fast->root(), "");
    if (!found.empty()) tally.differences.push_back(found + "\n--- in:\n" + yaml);
  } catch (const YAML::Exception& error) {
    tally.differences.push_back(std::string("yaml-cpp refuses it: ") + error.what() + "\n--- in:\n" + yaml);
  }
}

}  // namespace

TEST_CASE("the fast YAML reader gives yaml-cpp's tree for the repository's YAML files", "[simple_yaml]") {
  Tally tally;
  for (const char* folder : {"config", "tests"}) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(testing::source_dir() / folder)) {
      if (entry.path().extension() == ".yaml") compare(testing::read_file(entry.path()), tally);
    }
  }
  INFO((tally.differences.empty() ? std::string() : tally.differences.front()));
  CHECK(tally.differences.empty());
  CHECK(tally.accepted >= 2);  // the shipped watchlist and config at least
  const auto shipped = SimpleYamlDocument::parse(
      testing::read_file(testing::source_dir() / "config" / "watchlists" / "eastern-flank.yaml"));
  CHECK(shipped.has_value());
}

TEST_CASE("the fast YAML reader agrees with yaml-cpp on edge cases, or refuses them", "[simple_yaml]") {
  const std::vector<std::string> cases = {
      "actors: [NATO, Russia]\n", "actors:\n- NATO\n- 'O''Brien'\n",
      "# comment\n\nactors:\n  - name: \"Ciucă\"  # note\n    aliases: [a, {text: \"Ăă\", match_case: "
      "true}]\n",
      "keywords:\n  g:\n  - x\n  - y z\n  h: [a]\n", "a: b\nc: d # e\nf: 'g # h'\ni: \"j: k\"\n", "a: b:c\n",
      "a: 12\nb: true\nc: 1.5\n",
      "rules:\n  - name: r\n    require: [actors, {any: [a, b]}, {rule: x}]\n    within: 6 words\n",
      "a: []\nb: {}\n", "a: [x, y]   # trailing\n", "list:\n    - one\n    - two\n", "- a\n- b\n",
      "a:\n  b:\n    c: d\n  e: f\n", "a: b\n\n\n", "a: \"\"\n", "a: ''\n", "a: [ x , 'y' , \"z\" ]\n",
      "a: {b: [c, d], e: f}\n", "x: y#z\n",
      // Refused (or, if accepted, equal): each needs what only yaml-cpp does.
      "a: null\n", "a: ~\n", "a:\n", "a: |\n  text\n", "a: >\n  text\n", "a: &x b\nc: *x\n", "a: !tag b\n",
      "---\na: b\n", "a: b\na: c\n", "a: \"x\\ty\"\n", "a:\tb\n", "a: b\r\n", "a: [b,\n  c]\n", "a: b\n  c\n",
      "- - a\n", "-\n  a: b\n", "? a\n: b\n", "a: -b\n", "a: [b, ]\n", "a: [b: c]\n", "plain\n", "",
      "# only a comment\n", "a: 'unclosed\n", "a: b # c: d\n", "'a': b\n", "\"a b\": c\n", "a b: c\n",
      "a:  b  \n", "a: [ ]\n", "a: {b: c, b: d}\n", "a: {b}\n", "a: [{b: c}, {d: e}]\n", "a: %b\n", "a: @b\n",
      "a: `b\n", "a: b,c\n", "a: [b c, d]\n", "a: \"q\\\"uote\"\n", "a: \"back\\\\slash\"\n", "a: \"x\\n\"\n",
      "a: \"x\\\"\n", "a: \"JAN STRASK\\x1AY\"\n", "a: \"\\u00e9t\\u00C9\"\n", "a: \"\\U0001F600\"\n",
      "a: \"\\uD800\"\n", "a: \"\\x4\"\n", "a: \"\\xZZ\"\n", "a: \"\\U00110000\"\n"};
  Tally tally;
  for (const auto& yaml : cases) compare(yaml, tally);
  INFO((tally.differences.empty() ? std::string() : tally.differences.front()));
  CHECK(tally.differences.empty());
  CHECK(tally.accepted >= 19);
  CHECK(tally.refused >= 20);
  CHECK_FALSE(SimpleYamlDocument::parse("a: null\n"));
  CHECK_FALSE(SimpleYamlDocument::parse("a: b\na: c\n"));
}

TEST_CASE("the fast YAML reader agrees with yaml-cpp on generated watchlists", "[simple_yaml]") {
  const std::vector<std::string> words = {"NATO", "Ciucă",   "O'Brien",     "troop*", "U.S.",    "d'Ivoire",
                                          "a: b", "#tag",    "x #y",        "-lead",  "[x]",     "{y}",
                                          "50%",  "true",    "null",        "ÚS",     "Україна", "two words",
                                          "a,b",  "q\"uote", "back\\slash", "~",      "end:"};
  std::mt19937 random(3);
  const auto scalar = [&](bool) {
    const std::string& word = words[random() % words.size()];
    switch (random() % 3) {
      case 0:
        return word;  // plain: often refused, which is the point
      case 1: {
        std::string quoted = "'";
        for (char c : word) quoted += c == '\'' ? std::string("''") : std::string(1, c);
        return quoted + "'";
      }
      case 2:
        if (random() % 2) {  // escaped as a YAML writer would
          std::string quoted = "\"";
          for (char c : word) quoted += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
          return quoted + "\"";
        }
        return "\"" + word + "\"";  // unescaped: broken by some words, refused
      default:
        return word;
    }
  };
  Tally tally;
  for (int round = 0; round < 3000; ++round) {
    std::string yaml = random() % 2 ? "# generated\n" : "";
    const int indent = 1 + static_cast<int>(random() % 4);
    const std::string pad(static_cast<std::size_t>(indent), ' ');
    yaml += "actors:\n";
    for (int a = 0, actors = 1 + static_cast<int>(random() % 4); a < actors; ++a) {
      if (random() % 3 == 0) {
        yaml += pad + "- " + scalar(false) + "\n";
        continue;
      }
      yaml += pad + "- name: " + scalar(false) + (random() % 2 ? "  # [CODE]\n" : "\n");
      if (random() % 2) {
        if (random() % 2) {
          yaml += pad + "  aliases: [" + scalar(true) + ", {text: " + scalar(true) + ", match_case: true}]\n";
        } else {
          yaml += pad + "  aliases:\n";
          for (int k = 0, n = 1 + static_cast<int>(random() % 3); k < n; ++k)
            yaml += pad + "    - " + scalar(false) + "\n";
        }
      }
      if (random() % 5 == 0) yaml += "\n";
    }
    yaml += "keywords:\n" + pad + "moves: [" + scalar(true) + ", " + scalar(true) + "]\n";
    compare(yaml, tally);
  }
  INFO((tally.differences.empty() ? std::string() : tally.differences.front()));
  CHECK(tally.differences.empty());
  CHECK(tally.accepted > 100);
  CHECK(tally.refused > 100);
}

}  // namespace newswatch::match_detail
