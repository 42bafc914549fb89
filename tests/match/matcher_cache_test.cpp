// The compiled-watchlist cache: a hit gives the very matcher compiling gives; an edit, a damaged or
// truncated entry, an unwritable folder each fall back to compiling, with the reason reported; the
// folder keeps only the newest entries. Restoring checks every index, so damaged bytes that pass the
// checksum by chance still never make a matcher that reads out of bounds (ASan runs this too).
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "fixtures.hpp"
#include "match/detail/serialize.hpp"
#include "match/matcher.hpp"
#include "match/matcher_cache.hpp"
#include "matcher_test_articles.hpp"
#include "temp_dir.hpp"

namespace newswatch {
namespace {

namespace fs = std::filesystem;

void write(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  REQUIRE(out.good());
}

std::vector<fs::path> entries(const fs::path& folder) {
  std::vector<fs::path> out;
  if (!fs::exists(folder)) return out;
  for (const auto& entry : fs::directory_iterator(folder)) {
    if (entry.path().extension() == ".bin") out.push_back(entry.path());
  }
  return out;
}

const std::string kSecondWatchlist =
    "name: ports\n"
    "actors:\n"
    "  - name: Constanta\n"
    "    aliases: [Constanța, port of Constanta]\n"
    "  - name: Varna\n"
    "keywords:\n"
    "  shipping: [warship*, frigate*, \"naval build-up\"]\n"
    "  cased:\n"
    "    - text: USS\n"
    "      match_case: true\n"
    "rules:\n"
    "  - name: port-shipping\n"
    "    require: [actors, shipping]\n"
    "    within: 8 words\n"
    "    severity: medium\n";

std::vector<Article> articles() {
  Article ships;
  ships.title = "Warships leave the port of Constanța";
  ships.summary = "The USS Donald Cook and two frigates sailed from Constanta towards Varna.";
  ships.content = "Russia said the naval build-up near Varna threatened its troops. NATO deployed more warships.";
  return {testing::seed_article(), testing::film_review(), ships};
}

// Everything a matcher says about the test articles and texts, as one string to compare.
std::string behaviour(const Matcher& matcher) {
  std::string out = std::to_string(matcher.term_count()) + " terms " + std::to_string(matcher.rule_count()) +
                    " rules\n";
  for (const WatchlistInfo& info : matcher.watchlists()) out += info.name + ' ' + info.file + ' ' + info.version + '\n';
  for (const Article& article : articles()) {
    const MatchResult result = matcher.match(article);
    out += "article " + std::to_string(result.total_matches) + (result.truncated ? " truncated" : "") + " " +
           (result.severity ? to_string(*result.severity) : "none") + '\n';
    for (const std::string& rule : result.rules) out += "  rule " + rule + '\n';
    for (const Match& m : result.matches) {
      out += std::string("  ") + to_string(m.kind) + ' ' + m.name + " [" + m.term + "] " + to_string(m.field) + ' ' +
             std::to_string(m.start) + '-' + std::to_string(m.end) + " |" + m.snippet + "|\n";
    }
    for (const TextHit& hit : matcher.match_text(article.content)) {
      out += std::string("  text ") + hit.name + " [" + hit.term + "] " + std::to_string(hit.start) + '\n';
    }
  }
  return out;
}

struct Setup {
  testing::TempDir folder{"newswatch-matcher-cache"};
  fs::path ports = folder.path() / "ports.yaml";
  MatcherCacheOptions cache{folder.path() / "cache", 8};
  Setup() { write(ports, kSecondWatchlist); }
  std::vector<fs::path> files() const { return {testing::shipped_watchlist(), ports}; }
};

std::shared_ptr<const Matcher> load(const Setup& setup, MatcherCacheReport& report,
                                    const MatcherOptions& options = {}) {
  auto loaded = load_matcher_cached(setup.files(), options, setup.cache, report);
  REQUIRE(loaded);
  return *loaded;
}

TEST_CASE("a cache hit behaves exactly as the compiled watchlists", "[matcher_cache]") {
  Setup setup;
  auto compiled = load_matcher(setup.files());
  REQUIRE(compiled);
  const std::string expected = behaviour(**compiled);
  REQUIRE(expected.find("rule actor-troop-movement") != std::string::npos);
  REQUIRE(expected.find("rule port-shipping") != std::string::npos);

  MatcherCacheReport first;
  const std::string from_first = behaviour(*load(setup, first));
  CHECK_FALSE(first.hit);
  CHECK(first.stored);
  CHECK(first.problems.empty());
  CHECK(from_first == expected);
  CHECK(entries(setup.cache.directory).size() == 1);

  MatcherCacheReport second;
  const std::string from_cache = behaviour(*load(setup, second));
  CHECK(second.hit);
  CHECK_FALSE(second.stored);
  CHECK(second.problems.empty());
  CHECK(from_cache == expected);
}

TEST_CASE("a hit that keeps its entry mapped outlives the entry's file", "[matcher_cache]") {
  Setup setup;
  setup.cache.keep_entry_mapped = true;
  auto compiled = load_matcher(setup.files());
  REQUIRE(compiled);
  const std::string expected = behaviour(**compiled);
  MatcherCacheReport report;
  load(setup, report);
  REQUIRE(report.stored);
  const auto mapped = load(setup, report);
  REQUIRE(report.hit);
  CHECK(behaviour(*mapped) == expected);

  // The entry replaced by a rename, as the cache replaces entries, and then removed: the matcher
  // still reads the bytes it was restored from.
  const std::vector<fs::path> stored = entries(setup.cache.directory);
  REQUIRE(stored.size() == 1);
  write(setup.folder.path() / "other", "not a matcher");
  fs::rename(setup.folder.path() / "other", stored[0]);
  CHECK(behaviour(*mapped) == expected);
  fs::remove(stored[0]);
  CHECK(behaviour(*mapped) == expected);
}

TEST_CASE("the caller's options apply to a matcher read from the cache", "[matcher_cache]") {
  Setup setup;
  MatcherCacheReport report;
  load(setup, report);
  MatcherOptions options;
  options.snippet_chars = 20;
  options.max_matches_per_article = 2;
  const auto cached = load(setup, report, options);
  REQUIRE(report.hit);
  auto compiled = load_matcher(setup.files(), options);
  REQUIRE(compiled);
  CHECK(behaviour(*cached) == behaviour(**compiled));
}

TEST_CASE("an edited watchlist is a new entry, never a stale hit", "[matcher_cache]") {
  Setup setup;
  MatcherCacheReport report;
  load(setup, report);
  std::string edited = kSecondWatchlist;
  edited.replace(edited.find("  - name: Varna\n"), 16, "  - name: Burgas\n");
  write(setup.ports, edited);
  const auto matcher = load(setup, report);
  CHECK_FALSE(report.hit);
  CHECK(report.stored);
  const std::string text = "Varna and Burgas";
  const auto hits = matcher->match_text(text);
  REQUIRE(hits.size() == 1);
  CHECK(hits[0].name == "Burgas");
  CHECK(entries(setup.cache.directory).size() == 2);
}

TEST_CASE("a damaged or truncated entry is reported, compiled around and replaced", "[matcher_cache]") {
  Setup setup;
  MatcherCacheReport report;
  const std::string expected = behaviour(*load(setup, report));
  const auto stored = entries(setup.cache.directory);
  REQUIRE(stored.size() == 1);
  std::string bytes = testing::read_file(stored[0]);

  SECTION("a flipped byte fails the checksum") {
    bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x20);
    write(stored[0], bytes);
    CHECK(behaviour(*load(setup, report)) == expected);
    CHECK_FALSE(report.hit);
    REQUIRE(report.problems.size() == 1);
    CHECK(report.problems[0].find("checksum mismatch") != std::string::npos);
    CHECK(report.problems[0].find(stored[0].string()) != std::string::npos);
  }
  SECTION("a cut-off file is truncated") {
    write(stored[0], bytes.substr(0, bytes.size() - 1000));
    CHECK(behaviour(*load(setup, report)) == expected);
    REQUIRE(report.problems.size() == 1);
    CHECK(report.problems[0].find("truncated") != std::string::npos);
  }
  SECTION("a file shorter than its header") {
    write(stored[0], bytes.substr(0, 10));
    CHECK(behaviour(*load(setup, report)) == expected);
    REQUIRE(report.problems.size() == 1);
    CHECK(report.problems[0].find("shorter than its header") != std::string::npos);
  }
  SECTION("another entry's bytes under this name") {
    bytes[20] = bytes[20] == 'a' ? 'b' : 'a';  // inside the key the header repeats
    write(stored[0], bytes);
    CHECK(behaviour(*load(setup, report)) == expected);
    REQUIRE(report.problems.size() == 1);
    CHECK(report.problems[0].find("another entry's key") != std::string::npos);
  }
  CHECK(report.stored);
  load(setup, report);
  CHECK(report.hit);
  CHECK(report.problems.empty());
}

TEST_CASE("watchlists with errors report them as load_matcher does and store nothing", "[matcher_cache]") {
  Setup setup;
  write(setup.ports, "actors:\n  - name: NATO\n");  // NATO is the shipped watchlist's actor too
  MatcherCacheReport report;
  auto loaded = load_matcher_cached(setup.files(), {}, setup.cache, report);
  auto expected = load_matcher(setup.files());
  REQUIRE_FALSE(loaded);
  REQUIRE_FALSE(expected);
  REQUIRE(loaded.error().size() == expected.error().size());
  for (std::size_t i = 0; i < loaded.error().size(); ++i)
    CHECK(loaded.error()[i].to_string() == expected.error()[i].to_string());
  CHECK(entries(setup.cache.directory).empty());

  write(setup.ports, "actors: [");
  loaded = load_matcher_cached(setup.files(), {}, setup.cache, report);
  REQUIRE_FALSE(loaded);
  CHECK(loaded.error()[0].to_string().find("ports.yaml:") != std::string::npos);

  fs::remove(setup.ports);
  loaded = load_matcher_cached(setup.files(), {}, setup.cache, report);
  REQUIRE_FALSE(loaded);
  CHECK(loaded.error()[0].to_string().find("cannot read the watchlist file") != std::string::npos);
}

TEST_CASE("a cache folder that cannot be written is a problem, not a failure", "[matcher_cache]") {
  Setup setup;
  write(setup.folder.path() / "file", "not a folder");
  setup.cache.directory = setup.folder.path() / "file" / "cache";
  MatcherCacheReport report;
  const auto matcher = load(setup, report);
  CHECK(matcher->term_count() > 0);
  CHECK_FALSE(report.stored);
  REQUIRE(report.problems.size() == 1);
  CHECK(report.problems[0].find("cannot create the cache directory") != std::string::npos);
}

TEST_CASE("the cache folder keeps the most recently used entries", "[matcher_cache]") {
  Setup setup;
  setup.cache.max_entries = 2;
  MatcherCacheReport report;
  std::vector<std::string> versions;
  for (const char* name : {"Varna", "Burgas", "Sulina"}) {
    std::string edited = kSecondWatchlist;
    edited.replace(edited.find("Varna\n"), 6, std::string(name) + "\n");
    write(setup.ports, edited);
    load(setup, report);
    REQUIRE(report.stored);
    versions.push_back(edited);
    // File times can be coarse: make the order of use unambiguous.
    for (const auto& entry : entries(setup.cache.directory))
      fs::last_write_time(entry, fs::last_write_time(entry) - std::chrono::seconds(10));
  }
  CHECK(entries(setup.cache.directory).size() == 2);
  write(setup.ports, versions[2]);
  load(setup, report);
  CHECK(report.hit);
  write(setup.ports, versions[0]);
  load(setup, report);
  CHECK_FALSE(report.hit);
}

TEST_CASE("restoring refuses bytes that are not a matcher, and never reads out of bounds", "[matcher_cache]") {
  auto compiled = load_matcher({testing::shipped_watchlist()});
  REQUIRE(compiled);
  match_detail::ByteWriter writer;
  match_detail::save_matcher(**compiled, writer);
  const std::string bytes = writer.take();
  {
    match_detail::ByteReader reader(bytes);
    const auto restored = match_detail::restore_matcher(reader, {});
    REQUIRE(restored);
    CHECK(behaviour(*restored) == behaviour(**compiled));
  }
  {
    // Tables that look at the bytes, kept alive by the restored matcher alone.
    auto owned = std::make_shared<const std::string>(bytes);
    match_detail::ByteReader reader(*owned, owned);
    const auto restored = match_detail::restore_matcher(reader, {});
    REQUIRE(restored);
    owned.reset();
    CHECK(behaviour(*restored) == behaviour(**compiled));
  }
  {
    // Bytes that start at an odd address: tables cannot look at them and are copies.
    auto shifted = std::make_shared<const std::string>("x" + bytes);
    match_detail::ByteReader reader(std::string_view(*shifted).substr(1), shifted);
    const auto restored = match_detail::restore_matcher(reader, {});
    REQUIRE(restored);
    CHECK(behaviour(*restored) == behaviour(**compiled));
  }
  // Every cut is refused.
  for (std::size_t cut = 0; cut < bytes.size(); cut += 1 + cut / 16) {
    match_detail::ByteReader reader(std::string_view(bytes).substr(0, cut));
    CHECK_FALSE(match_detail::restore_matcher(reader, {}));
  }
  // Changed bytes: refused, or a matcher whose every index is in its tables; either way matching
  // the test articles with it stays inside its memory.
  std::mt19937 random(20261203);
  std::size_t refused = 0;
  const int rounds = 3000;
  for (int round = 0; round < rounds; ++round) {
    std::string damaged = bytes;
    const int changes = 1 + static_cast<int>(random() % 4);
    for (int c = 0; c < changes; ++c) {
      const std::size_t at = random() % damaged.size();
      damaged[at] = static_cast<char>(random() % 4 == 0 ? 0xFF : random() % 256);
    }
    match_detail::ByteReader reader(damaged);
    const auto restored = match_detail::restore_matcher(reader, {});
    if (!restored) {
      ++refused;
      continue;
    }
    for (const Article& article : articles()) restored->match(article);
  }
  CHECK(refused > 0);
  CHECK(refused < static_cast<std::size_t>(rounds));
}

}  // namespace
}  // namespace newswatch
