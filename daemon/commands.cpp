// The offline commands: parse, match, scan, check-config. They share the daemon's stages and
// configuration, so what they print is what the daemon would do.
#include "commands.hpp"

#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unordered_set>

#include "common/local_files.hpp"
#include "config.hpp"
#include "feed/article_json.hpp"
#include "feed/parser.hpp"
#include "match/matcher.hpp"
#include "pipeline.hpp"

namespace newswatch {
namespace {

std::string_view display_name(std::string_view file) { return file == "-" ? "<stdin>" : file; }

std::string describe(std::string_view file, const ParseProblem& problem) {
  std::ostringstream out;
  out << display_name(file);
  if (problem.line > 0) out << ':' << problem.line << ':' << problem.column;
  out << ": " << to_string(problem.kind) << ": " << problem.message;
  return out.str();
}

void print_warnings(std::string_view file, const ParsedFeed& parsed) {
  for (const auto& warning : parsed.warnings) std::cerr << describe(file, warning) << " (warning)\n";
}

struct LoadedConfig {
  Config config;
  std::shared_ptr<const Matcher> matcher;
};

enum class CompiledCache { use, skip };

// The config and its compiled watchlists, or every problem on standard error (one per line). With
// the cache, unchanged watchlists are read back compiled from the state directory; a cache that
// cannot be used is a warning, and the watchlists are compiled as without it.
std::optional<LoadedConfig> load_config_and_watchlists(const std::string& config_file, CompiledCache cache) {
  auto config = load_config(config_file);
  if (!config) {
    for (const auto& problem : config.error()) std::cerr << problem.to_string() << '\n';
    return std::nullopt;
  }
  MatcherCacheReport report;
  MatcherCacheOptions cache_options = matcher_cache_options(*config);
  cache_options.keep_entry_mapped = true;  // a command, done in milliseconds
  auto matcher = cache == CompiledCache::use
                     ? load_matcher_cached(config->watchlists, matcher_options(*config), cache_options,
                                           report)
                     : load_matcher(config->watchlists, matcher_options(*config));
  for (const auto& problem : report.problems) std::cerr << "matcher cache: " << problem << " (warning)\n";
  if (!matcher) {
    for (const auto& problem : matcher.error()) std::cerr << problem.to_string() << '\n';
    return std::nullopt;
  }
  return LoadedConfig{std::move(config).value(), std::move(matcher).value()};
}

}  // namespace

std::optional<PathList> read_path_list(const std::string& list_file) {
  LocalFiles files;
  auto bytes = files.read(list_file);
  if (!bytes) return std::nullopt;
  PathList list{std::make_shared<const std::string>(std::move(*bytes)), {}};
  std::vector<std::string_view>& paths = list.paths;
  std::string_view rest = *list.bytes;
  while (!rest.empty()) {
    const std::size_t end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty()) paths.push_back(line);
  }
  return list;
}

int run_parse_command(const std::vector<std::string_view>& files, std::size_t max_items) {
  ParseLimits limits;
  limits.max_items = max_items;
  int exit_code = kExitOk;
  LocalFiles local_files;
  for (const auto& file : files) {
    auto bytes = local_files.read(file);
    if (!bytes) {
      std::cerr << display_name(file) << ": cannot read the file\n";
      exit_code = kExitProblems;
      continue;
    }
    const auto parsed = parse_owned_feed(std::move(*bytes), "", "", limits);
    if (!parsed) {
      std::cerr << describe(file, parsed.error()) << "\n";
      exit_code = kExitProblems;
      continue;
    }
    print_warnings(file, *parsed);
    for (const auto& article : parsed->feed.articles) {
      std::cout << article_to_json(parsed->feed, article)
                       .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                << '\n';
    }
  }
  std::cout.flush();
  return exit_code;
}

int run_match_command(const std::vector<std::string>& watchlists) {
  std::vector<std::filesystem::path> paths(watchlists.begin(), watchlists.end());
  const auto matcher = load_matcher(paths);
  if (!matcher) {
    for (const auto& problem : matcher.error()) std::cerr << problem.to_string() << '\n';
    return kExitProblems;
  }
  // Unsynchronised streams read stdin in blocks instead of one getc per character, which cost more
  // than matching; the output is flushed whenever no more input is waiting, so a user typing lines
  // sees each answer at once and a piped file is written in blocks.
  std::ios::sync_with_stdio(false);
  std::string line;
  std::size_t number = 0;
  while (std::getline(std::cin, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    nlohmann::json hits = nlohmann::json::array();
    for (const auto& hit : (*matcher)->match_text(line)) {
      hits.push_back({{"kind", to_string(hit.kind)},
                      {"name", hit.name},
                      {"term", hit.term},
                      {"start", hit.start},
                      {"end", hit.end}});
    }
    nlohmann::json out = {{"line", number}, {"matches", std::move(hits)}};
    std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    if (std::cin.rdbuf()->in_avail() <= 0) std::cout.flush();
  }
  std::cout.flush();
  return kExitOk;
}

int run_check_config_command(const std::string& config_file) {
  // Parsed and compiled from the files, not read from the cache: this command is what a user runs to
  // see every problem, and it must not write to the daemon's state directory.
  const auto loaded = load_config_and_watchlists(config_file, CompiledCache::skip);
  if (!loaded) return kExitProblems;
  const auto& [config, matcher] = *loaded;
  std::cout << config_file << ": ok: " << config.feeds.size() << " feeds, " << config.watchlists.size()
            << " watchlists, " << matcher->term_count() << " terms, " << matcher->rule_count() << " rules\n";
  return kExitOk;
}

int run_scan_command(const std::string& config_file, const std::vector<std::string_view>& feed_files,
                     const std::string& feed_url) {
  const auto loaded = load_config_and_watchlists(config_file, CompiledCache::use);
  if (!loaded) return kExitProblems;
  const auto& [config, matcher] = *loaded;
  const ParseLimits limits = parse_limits(config);

  int exit_code = kExitOk;
  std::unordered_set<std::string> seen;  // the daemon never alerts an article twice; neither does scan
  LocalFiles local_files;
  for (const auto& file : feed_files) {
    auto bytes = local_files.read(file);
    if (!bytes) {
      std::cerr << display_name(file) << ": cannot read the file\n";
      exit_code = kExitProblems;
      continue;
    }
    std::string url = feed_url.empty() ? local_files.feed_url(file) : feed_url;
    auto parsed = parse_owned_feed(std::move(*bytes), "", url, limits);
    if (!parsed) {
      std::cerr << describe(file, parsed.error()) << "\n";
      exit_code = kExitProblems;
      continue;
    }
    print_warnings(file, *parsed);
    const FeedInfo feed{std::move(url), std::move(parsed->feed.title)};  // read through feed from here on
    const Instant now = current_instant();
    for (const auto& article : parsed->feed.articles) {
      ArticleVerdict verdict = evaluate_article(article, feed, *matcher, now);
      if (!seen.insert(std::move(verdict.identity)).second) continue;
      if (verdict.alert) std::cout << verdict.alert->json << '\n';
    }
  }
  std::cout.flush();
  return exit_code;
}

}  // namespace newswatch
