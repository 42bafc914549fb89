// The offline commands: parse, match, scan, check-config. They share the daemon's stages and
// configuration, so what they print is what the daemon would do.
#include "commands.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unordered_set>

#include "common/bounded_read.hpp"
#include "config.hpp"
#include "feed/article_json.hpp"
#include "feed/parser.hpp"
#include "match/matcher.hpp"
#include "pipeline.hpp"

namespace newswatch {
namespace {

// The files named on a command line, read whole, and their file:// URLs. Scan reads thousands of
// small files from a few directories: each file is opened relative to its directory, kept open from
// the file before, so the kernel does not walk the whole path again for every file, and its URL is
// the directory's, worked out once, and its name. Plain system calls, not streams: a stream's buffer
// and locale cost a third more than the reading itself.
class LocalFiles {
 public:
  LocalFiles() = default;
  LocalFiles(const LocalFiles&) = delete;
  LocalFiles& operator=(const LocalFiles&) = delete;
  ~LocalFiles() { close_directory(); }

  // The whole file ("-" is standard input), or nothing when it cannot be opened or read.
  std::optional<std::string> read(std::string_view file) {
    if (file == "-") {
      return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    }
    const auto [directory, name] = split(file);
    enter(directory);
    name_.assign(name);  // a C string, in a buffer kept across files rather than one allocated a file
    const int fd = ::openat(directory_fd_, name_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    FileBytes read = read_descriptor_at_most(fd, std::numeric_limits<std::size_t>::max());
    ::close(fd);
    if (!read) return std::nullopt;
    return std::move(read.bytes);
  }

  // What a configured file:// feed of the same file would be called: the absolute path, normalised.
  std::string feed_url(std::string_view file) {
    if (file == "-") return "stdin:";
    const auto [directory, name] = split(file);
    enter(directory);
    if (directory_url_.empty()) {
      // The working directory once, not once a file as std::filesystem::absolute asks for it.
      static const std::filesystem::path working_directory = std::filesystem::current_path();
      const std::filesystem::path path(directory.empty() ? std::string(".") : std::string(directory));
      directory_url_ =
          "file://" + (path.is_absolute() ? path : working_directory / path).lexically_normal().string();
      if (directory_url_.back() != '/') directory_url_ += '/';
    }
    // A name is never "." or "..", which normalising would change: those are directories, and reading
    // one fails before its URL is asked for.
    std::string url;  // one allocation: `directory_url_ + std::string(name)` made two a file
    url.reserve(directory_url_.size() + name.size());
    url.append(directory_url_).append(name);
    return url;
  }

 private:
  // "a/b/c.xml" -> {"a/b/", "c.xml"}; "c.xml" -> {"", "c.xml"}; "/c.xml" -> {"/", "c.xml"}.
  // glibc's memrchr rather than string_view::rfind, which steps back over the file's name a byte at a
  // time (twice a file: about 0.6 M instructions of a bench scan).
  static std::pair<std::string_view, std::string_view> split(std::string_view file) {
    const void* slash = ::memrchr(file.data(), '/', file.size());
    if (slash == nullptr) return {{}, file};
    const auto at = static_cast<std::size_t>(static_cast<const char*>(slash) - file.data());
    return {file.substr(0, at + 1), file.substr(at + 1)};
  }

  void enter(std::string_view directory) {
    if (directory_fd_ != kUnopened && directory == directory_) return;
    close_directory();
    directory_ = directory;
    directory_url_.clear();
    // A directory that cannot be opened leaves an invalid descriptor, so opening the file fails and is
    // reported as for any file that cannot be read.
    directory_fd_ = directory.empty() ? AT_FDCWD
                                      : ::open(directory_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  }

  void close_directory() {
    if (directory_fd_ >= 0) ::close(directory_fd_);
    directory_fd_ = kUnopened;
  }

  static constexpr int kUnopened = -2;  // AT_FDCWD is -100 and a failed open -1
  std::string name_;
  std::string directory_;
  int directory_fd_ = kUnopened;
  std::string directory_url_;
};

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
