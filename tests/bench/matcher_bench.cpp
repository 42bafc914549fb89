// Figure 2, match: MB/s of Matcher::match (normalisation, term engine, rules, snippets: what the daemon
// runs per article) on realistic text at 100 / 1,000 / 10,000 / 50,000 terms, and the compile time of
// each size. Also writes the inputs the Python `re` peer and the other figures use.
//
// Terms: the PETRARCH actor dictionaries imported with `newswatchd import-dictionary`'s converter
// (names + synonyms), actors shuffled with a fixed seed so every size mixes countries, organisations
// and people. The dictionaries hold fewer than 50,000 distinct terms; the rest are actor-agent phrases
// ("KABUL POLICE", from Phoenix.agents.txt), the kind of term an analyst adds.
// Text: the title, summary and content of every item of the fixture feeds that parse, plus the seed
// article, joined into ~3 KB articles (30 MB in all), matched for at least one second of CPU time;
// then the same with only the mostly-ASCII texts ("corpus":"english"), closer to an English stream.
//
// Usage: bench_matcher OUT_DIR [sizes, e.g. 100,1000,10000,50000] [corpora: all,english] [PASSES]
//   Two more corpora cut the "all" corpus by article, for studying why it runs slower than its parts:
//   "all-split" measures its mostly-ASCII articles alone, its other articles alone, and all of them
//   grouped by kind, and all of them in their usual order in freshly allocated strings.
//   PASSES: exactly that many passes over each corpus instead of one second's worth, for counting
//   instructions: valgrind --tool=callgrind --toggle-collect='*CompiledMatcher::match*'
//   bench_matcher OUT 10000 english N (the difference between two pass counts is one pass).
//   OUT_DIR receives watchlist-N.yaml and terms-N.txt per size, and corpus.txt (the articles' texts,
//   title, summary and content joined by newlines, articles separated by a 0x1E byte line).
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>

#include "bench_support.hpp"
#include "feed/parser.hpp"
#include "import_dictionary.hpp"
#include "match/matcher.hpp"

using namespace newswatch;
namespace fs = std::filesystem;

namespace {

std::vector<ImportedActor> petrarch_actors() {
  const fs::path dictionaries = bench::shared_dir() / "fixtures" / "dictionaries" / "petrarch2";
  std::vector<DictionarySource> sources;
  for (const char* name : {"Phoenix.Countries.actors.txt", "Phoenix.International.actors.txt",
                           "Phoenix.MilNonState.actors.txt"}) {
    sources.push_back({name, bench::read_file(dictionaries / name)});
  }
  std::vector<ImportedActor> actors = import_actor_dictionaries(sources).actors;
  std::shuffle(actors.begin(), actors.end(), std::mt19937(1));
  return actors;
}

// Phoenix.agents.txt: "CATTLE_RANCHER [~AGR]"; lines with !MACRO! references are left out.
std::vector<std::string> petrarch_agents() {
  std::vector<std::string> agents;
  std::istringstream lines(bench::read_file(bench::shared_dir() / "fixtures" / "dictionaries" / "petrarch2" /
                                            "Phoenix.agents.txt"));
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#' || line[0] == ' ' || line[0] == '\t' ||
        line.find('!') != std::string::npos)
      continue;
    std::string phrase = line.substr(0, line.find_first_of("[#"));
    std::replace(phrase.begin(), phrase.end(), '_', ' ');
    while (!phrase.empty() && phrase.back() == ' ') phrase.pop_back();
    if (!phrase.empty() && phrase[0] != '+') agents.push_back(phrase);
  }
  return agents;
}

// The first `count` terms of the shuffled actors (an actor's aliases may be cut short), padded with
// actor-agent phrases, each a one-term actor, when the dictionaries run out.
std::vector<ImportedActor> watchlist_of(const std::vector<ImportedActor>& actors,
                                        const std::vector<std::string>& agents, std::size_t count) {
  std::vector<ImportedActor> chosen;
  std::size_t terms = 0;
  for (const auto& actor : actors) {
    if (terms == count) break;
    ImportedActor copy = actor;
    const std::size_t room = count - terms - 1;
    if (copy.aliases.size() > room) copy.aliases.resize(room);
    terms += 1 + copy.aliases.size();
    chosen.push_back(std::move(copy));
  }
  for (std::size_t k = 0; terms < count && !agents.empty(); ++k, ++terms) {
    ImportedActor phrase;
    phrase.name = actors[k % actors.size()].name + " " + agents[(k * 7) % agents.size()];
    chosen.push_back(std::move(phrase));
  }
  return chosen;
}

// The items' texts are short (most fixture feeds are test cases), so they are joined into ~3 KB
// articles, a typical news story's length, cycling through them until `megabytes` of text: enough
// that the text does not sit in the CPU's caches, as a daemon's stream of articles would not.
bool mostly_ascii(const std::string& text) {
  const auto ascii =
      std::count_if(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  return static_cast<double>(ascii) >= 0.97 * static_cast<double>(text.size());
}

// english_only keeps the texts that are at least 97 % ASCII (as tests/bench/match_bench.cpp does):
// the fixture corpus holds many non-English encoding test feeds, more than an English news stream.
std::vector<Article> corpus_articles(std::size_t megabytes, bool english_only) {
  std::vector<std::string> texts;
  for (const auto& path : bench::fixture_feed_files()) {
    auto parsed = parse_feed(bench::read_file(path), "", "");
    if (!parsed) continue;
    for (const auto& article : parsed->feed.articles) {
      for (const std::string* field : {&article.title, &article.summary, &article.content}) {
        if (!field->empty() && (!english_only || mostly_ascii(*field))) texts.push_back(*field);
      }
    }
  }
  for (const auto& entry : fs::directory_iterator(bench::shared_dir() / "seed")) {
    texts.push_back(bench::read_file(entry.path()));
  }
  std::vector<Article> articles;
  std::size_t total = 0;
  Article article;
  while (total < megabytes * 1000 * 1000) {
    for (const auto& text : texts) {
      article.content += text;
      article.content += "\n\n";
      if (article.content.size() >= 3000) {
        total += article.content.size();
        articles.push_back(std::move(article));
        article = Article{};
      }
    }
  }
  return articles;
}

std::size_t text_bytes(const Article& article) {
  return article.title.size() + article.summary.size() + article.content.size();
}

// The share of ASCII bytes: the term engine has a fast path for ASCII and normalises everything else
// character by character, so this share explains much of the figure. The fixture corpus holds many
// non-English encoding test feeds (Chinese, Japanese, Russian), more than an English news stream.
double ascii_share(const std::vector<Article>& articles) {
  std::size_t ascii = 0, total = 0;
  for (const auto& article : articles) {
    for (unsigned char c : article.content) ascii += c < 0x80;
    total += article.content.size();
  }
  return total ? static_cast<double>(ascii) / static_cast<double>(total) : 1.0;
}

// PASSES (the fourth argument): exactly that many passes instead of one second's worth, for counting
// instructions with callgrind; 0 for the timed run.
std::size_t fixed_passes = 0;

void measure(const std::vector<ImportedActor>& actors, std::size_t count,
             const std::vector<Article>& articles, const char* corpus_name, const fs::path& out_dir) {
  const fs::path yaml_path = out_dir / ("watchlist-" + std::to_string(count) + ".yaml");
  {
    std::ofstream yaml(yaml_path);
    yaml << to_watchlist_yaml(actors, {"PETRARCH Phoenix actors, first " + std::to_string(count) + " terms"});
    std::ofstream terms(out_dir / ("terms-" + std::to_string(count) + ".txt"));
    for (const auto& actor : actors) {
      terms << actor.name << '\n';
      for (const auto& alias : actor.aliases) terms << alias << '\n';
    }
  }
  auto watchlist = load_watchlist(yaml_path);
  if (!watchlist) {
    std::fprintf(stderr, "%s\n", watchlist.error().front().to_string().c_str());
    return;
  }
  const double compile_start = bench::cpu_seconds();
  auto matcher = Matcher::compile({std::move(*watchlist)});
  const double compile_seconds = bench::cpu_seconds() - compile_start;
  if (!matcher) {
    std::fprintf(stderr, "compile: %s\n", matcher.error().front().to_string().c_str());
    return;
  }
  std::size_t bytes = 0, matches = 0, alerting = 0, passes = 0;
  const double start = bench::cpu_seconds();
  double elapsed = 0;
  while (fixed_passes != 0 ? passes < fixed_passes : elapsed < 1.0) {
    for (const auto& article : articles) {
      const MatchResult result = (*matcher)->match(article);
      matches += result.total_matches;
      alerting += result.alerts();
      bytes += text_bytes(article);
    }
    ++passes;
    elapsed = bench::cpu_seconds() - start;
  }
  std::printf(
      "{\"bench\":\"match\",\"impl\":\"newswatch\",\"corpus\":\"%s\",\"terms\":%zu,\"compile_s\":%.3f,"
      "\"articles\":%zu,"
      "\"megabytes\":%.1f,\"ascii_share\":%.3f,\"passes\":%zu,\"matches_per_pass\":%zu,\"alerting_per_pass\":"
      "%zu,\"cpu_s\":%.3f,"
      "\"mb_per_s\":%.1f}\n",
      corpus_name, (*matcher)->term_count(), compile_seconds, articles.size(),
      static_cast<double>(bytes) / 1e6, ascii_share(articles), passes, matches / passes, alerting / passes,
      elapsed, static_cast<double>(bytes) / 1e6 / elapsed);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_matcher OUT_DIR [sizes] [corpora]\n");
    return 2;
  }
  const fs::path out_dir = argv[1];
  fs::create_directories(out_dir);
  std::vector<std::size_t> sizes{100, 1000, 10000, 50000};
  if (argc > 2) {
    sizes.clear();
    std::istringstream list(argv[2]);
    for (std::string item; std::getline(list, item, ',');) sizes.push_back(std::stoul(item));
  }
  // Profiling one corpus at a time needs the other left out.
  std::vector<std::string> corpora;
  {
    std::istringstream list(argc > 3 ? argv[3] : "all,english");
    for (std::string item; std::getline(list, item, ',');) corpora.push_back(item);
  }
  const auto wanted = [&](const char* name) { return std::find(corpora.begin(), corpora.end(), name) != corpora.end(); };
  const bool run_all = wanted("all");
  const bool run_english = wanted("english");
  const bool run_split = wanted("all-split");
  if (argc > 4) fixed_passes = std::stoul(argv[4]);
  const auto actors = petrarch_actors();
  const auto agents = petrarch_agents();
  const auto articles = corpus_articles(30, false);
  const auto english = corpus_articles(30, true);
  {
    std::ofstream corpus(out_dir / "corpus.txt", std::ios::binary);
    for (const auto& article : articles) {
      corpus << article.title << '\n' << article.summary << '\n' << article.content << "\n\x1e\n";
    }
  }
  for (std::size_t size : sizes) {
    const auto watchlist = watchlist_of(actors, agents, size);
    if (run_all) measure(watchlist, size, articles, "all", out_dir);
    if (run_english) measure(watchlist, size, english, "english", out_dir);
    if (run_split) {
      std::vector<Article> ascii_articles, other_articles;
      for (const auto& article : articles) {
        (mostly_ascii(article.content) ? ascii_articles : other_articles).push_back(article);
      }
      std::vector<Article> grouped = ascii_articles;
      grouped.insert(grouped.end(), other_articles.begin(), other_articles.end());
      measure(watchlist, size, ascii_articles, "all:ascii-articles", out_dir);
      measure(watchlist, size, other_articles, "all:other-articles", out_dir);
      measure(watchlist, size, grouped, "all:grouped", out_dir);
      const std::vector<Article> copied = articles;  // the same order, in freshly allocated strings
      measure(watchlist, size, copied, "all:copied", out_dir);
    }
  }
  return 0;
}
