// Throughput of the term engine on news text, as the term count grows. A standalone program, not a
// test: it prints one JSON line per measurement and asserts nothing.
//
// Terms: the PETRARCH actor dictionaries (names and '+' synonyms, '_' for spaces), shuffled with a
// fixed seed so every size mixes countries, organisations and people. Text: the seed article and the
// text of the fixture feeds' items, repeated to about 50 MB; it is matched article by article, the way
// the daemon calls the engine, and once as a single 50 MB string.
//
// Usage: match_bench [shared_dir] [megabytes] [term counts, e.g. 100,1000]
#include <utf8proc.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "match/term_matcher.hpp"

namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string trim(std::string s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  const auto last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

// "AFGHANISTAN_  [AFG]", "+AFGHAN_NATIONAL_ARMY # note" -> "AFGHANISTAN", "AFGHAN NATIONAL ARMY".
std::vector<std::string> petrarch_actor_terms(const fs::path& dictionaries) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dictionaries)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with("Phoenix.") && name.ends_with(".actors.txt")) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<std::string> terms;
  std::set<std::string> seen;
  for (const fs::path& file : files) {
    std::istringstream lines(read_file(file));
    std::string line;
    while (std::getline(lines, line)) {
      if (line.empty() || line[0] == '#' || line[0] == '\t' || line[0] == ' ') continue;
      line = line.substr(0, line.find('#'));
      line = line.substr(0, line.find('['));
      if (!line.empty() && line[0] == '+') line.erase(0, 1);
      std::replace(line.begin(), line.end(), '_', ' ');
      line = trim(line);
      if (line.empty() || !seen.insert(line).second) continue;
      terms.push_back(line);
    }
  }
  return terms;
}

// Phoenix.agents.txt: "CATTLE_RANCHER [~AGR]"; lines with !MACRO! references are skipped.
std::vector<std::string> petrarch_agent_terms(const fs::path& dictionaries) {
  std::vector<std::string> terms;
  std::istringstream lines(read_file(dictionaries / "Phoenix.agents.txt"));
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#' || line.find('!') != std::string::npos) continue;
    line = trim(line.substr(0, line.find('[')));
    std::replace(line.begin(), line.end(), '_', ' ');
    if (!line.empty()) terms.push_back(line);
  }
  return terms;
}

bool valid_utf8(const std::string& s) {
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
  utf8proc_ssize_t i = 0;
  const auto n = static_cast<utf8proc_ssize_t>(s.size());
  while (i < n) {
    utf8proc_int32_t cp;
    const auto length = utf8proc_iterate(p + i, n - i, &cp);
    if (length <= 0) return false;
    i += length;
  }
  return true;
}

// The encoding fixtures hold Chinese, Japanese, Russian... test feeds; English news is almost all
// ASCII with a few curly quotes, dashes and accented names, so keep only texts like that.
bool mostly_ascii(const std::string& s) {
  const auto ascii =
      std::count_if(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  return static_cast<double>(ascii) >= 0.97 * static_cast<double>(s.size());
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
  return s;
}

std::string strip_tags(const std::string& s) {
  std::string out;
  bool in_tag = false;
  for (char c : s) {
    if (c == '<') in_tag = true;
    if (!in_tag) out.push_back(c);
    if (c == '>') in_tag = false;
  }
  return out;
}

// Crude on purpose: good enough to get realistic item text out of the fixture feeds.
std::vector<std::string> feed_item_texts(const fs::path& feeds) {
  std::vector<std::string> texts;
  for (const auto& entry : fs::recursive_directory_iterator(feeds)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".xml") continue;
    const std::string xml = read_file(entry.path());
    for (const std::string tag : {"title", "description", "summary", "content", "content:encoded"}) {
      const std::string open = "<" + tag;
      const std::string close = "</" + tag + ">";
      for (std::size_t at = xml.find(open); at != std::string::npos; at = xml.find(open, at + 1)) {
        const char after = at + open.size() < xml.size() ? xml[at + open.size()] : '\0';
        if (after != '>' && after != ' ') continue;
        const std::size_t body = xml.find('>', at);
        const std::size_t end = xml.find(close, at);
        if (body == std::string::npos || end == std::string::npos || end < body) continue;
        std::string text = xml.substr(body + 1, end - body - 1);
        text = replace_all(replace_all(text, "<![CDATA[", ""), "]]>", "");
        text = strip_tags(text);
        for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
                 {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}, {"&nbsp;", "\u00A0"}}) {
          text = replace_all(text, from, to);
        }
        text = trim(strip_tags(replace_all(text, "&amp;", "&")));
        if (text.size() >= 20 && valid_utf8(text) && mostly_ascii(text)) texts.push_back(text);
      }
    }
  }
  return texts;
}

struct Corpus {
  std::vector<std::string> articles;
  std::string joined;
  std::size_t bytes = 0;
};

Corpus build_corpus(const fs::path& shared, std::size_t megabytes) {
  std::vector<std::string> base;
  for (const auto& entry : fs::directory_iterator(shared / "seed")) base.push_back(read_file(entry.path()));
  for (std::string& text : feed_item_texts(shared / "fixtures" / "feeds")) base.push_back(std::move(text));
  Corpus corpus;
  // Articles: the seed alone is one article; item texts are grouped into ~3 KB articles, a typical
  // news item's size.
  std::string article;
  while (corpus.bytes < megabytes * 1000 * 1000) {
    for (const std::string& text : base) {
      article += text;
      article += "\n\n";
      if (article.size() >= 3000) {
        corpus.bytes += article.size();
        corpus.joined += article;
        corpus.articles.push_back(std::move(article));
        article.clear();
      }
    }
  }
  return corpus;
}

// CPU time of this thread, not wall time: the machine is shared, and other processes' load would
// otherwise count as ours.
double thread_seconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

void measure(const std::vector<std::string>& all_terms, std::size_t count, double match_case_share,
             const Corpus& corpus, const char* label) {
  std::vector<newswatch::TermSpec> specs;
  for (std::size_t i = 0; i < count && i < all_terms.size(); ++i) {
    const bool match_case = static_cast<double>(i % 100) < match_case_share * 100;
    specs.push_back({all_terms[i], match_case});
  }
  const double compile_start = thread_seconds();
  auto compiled = newswatch::TermMatcher::compile(specs);
  const double compile_seconds = thread_seconds() - compile_start;
  if (!compiled) {
    std::fprintf(stderr, "compile failed: %zu errors, first: term %zu %s\n", compiled.error().size(),
                 compiled.error()[0].term, compiled.error()[0].message.c_str());
    return;
  }
  const auto& matcher = *compiled.value();

  double best_articles = 1e9, best_whole = 1e9;
  std::size_t hits = 0;
  for (int round = 0; round < 3; ++round) {
    std::size_t round_hits = 0;
    const double start = thread_seconds();
    for (const std::string& article : corpus.articles) round_hits += matcher.find_all(article).size();
    best_articles = std::min(best_articles, thread_seconds() - start);
    hits = round_hits;
    const double whole_start = thread_seconds();
    const std::size_t whole_hits = matcher.find_all(corpus.joined).size();
    best_whole = std::min(best_whole, thread_seconds() - whole_start);
    if (whole_hits < hits) hits = whole_hits;  // joins can only add hits across article edges
  }
  const double mb = static_cast<double>(corpus.bytes) / 1e6;
  std::printf(
      "{\"bench\":\"term_matcher\",\"label\":\"%s\",\"terms\":%zu,\"match_case_share\":%.2f,"
      "\"compile_ms\":%.1f,\"megabytes\":%.1f,\"articles\":%zu,\"hits_per_pass\":%zu,"
      "\"mb_per_s_by_article\":%.0f,\"mb_per_s_whole_text\":%.0f}\n",
      label, specs.size(), match_case_share, compile_seconds * 1000, mb, corpus.articles.size(), hits,
      mb / best_articles, mb / best_whole);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  const fs::path shared = argc > 1 ? fs::path(argv[1]) : fs::path("/work/shared");
  const std::size_t megabytes = argc > 2 ? std::stoul(argv[2]) : 50;

  const fs::path dictionaries = shared / "fixtures" / "dictionaries" / "petrarch2";
  std::vector<std::string> terms = petrarch_actor_terms(dictionaries);
  std::shuffle(terms.begin(), terms.end(), std::mt19937(1));
  const std::size_t actor_count = terms.size();
  // The actor dictionaries hold ~34,000 distinct names; beyond them come the agents ("minister",
  // "rebel") and then actor-agent phrases ("KABUL POLICE"), the kind of term a watchlist adds.
  const std::vector<std::string> agents = petrarch_agent_terms(dictionaries);
  terms.insert(terms.end(), agents.begin(), agents.end());
  for (std::size_t k = 0; terms.size() < 50000 && !agents.empty(); ++k) {
    terms.push_back(terms[k % actor_count] + " " + agents[(k * 7) % agents.size()]);
  }
  const Corpus corpus = build_corpus(shared, megabytes);
  std::size_t ascii = 0;
  for (unsigned char c : corpus.joined) ascii += c < 0x80;
  std::printf(
      "{\"bench\":\"term_matcher\",\"corpus_megabytes\":%.1f,\"ascii_share\":%.4f,\"actor_terms\":%zu,"
      "\"agent_terms\":%zu}\n",
      static_cast<double>(corpus.bytes) / 1e6,
      static_cast<double>(ascii) / static_cast<double>(corpus.joined.size()), actor_count, agents.size());

  std::vector<std::size_t> counts{100, 1000, 10000, 50000};
  if (argc > 3) {
    counts.clear();
    std::istringstream list(argv[3]);
    for (std::string item; std::getline(list, item, ',');) counts.push_back(std::stoul(item));
  }
  for (std::size_t count : counts) measure(terms, count, 0.0, corpus, "folded");
  if (argc <= 3) measure(terms, 10000, 0.1, corpus, "10% match_case");
  return 0;
}
