#pragma once
// The subcommands of newswatchd. Each returns the process exit code; they write results to stdout and
// problems to stderr.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace newswatch {

// Exit codes shared by the commands.
inline constexpr int kExitOk = 0;
inline constexpr int kExitProblems = 1;  // invalid input: a file that is not a feed, a broken config
inline constexpr int kExitUsage = 2;

// newswatchd parse FILE... : one JSON line per item; "-" reads standard input.
int run_parse_command(const std::vector<std::string_view>& files, std::size_t max_items);

// newswatchd match --watchlist FILE...: one JSON line of matches per line of standard input.
int run_match_command(const std::vector<std::string>& watchlists);

// newswatchd scan --config FILE [--feed-url URL] FEEDFILE...: the alerts the daemon would publish for
// these files. Articles without a link are identified by the feed URL: by default file://<absolute
// path>, as a configured file:// feed would be; --feed-url names the feed the files came from.
int run_scan_command(const std::string& config_file, const std::vector<std::string_view>& feed_files,
                     const std::string& feed_url);

// The paths listed in a file (--files-from), one a line as find(1) prints them: blank lines are
// skipped, a trailing CR is dropped, nothing else is changed. "-" reads standard input. Nothing when
// the file cannot be read. The paths point into the list's bytes, which the list keeps: 2,706 paths
// as strings of their own were 2,706 allocations and 0.1 ms of page faults for a scan.
struct PathList {
  std::shared_ptr<const std::string> bytes;
  std::vector<std::string_view> paths;
};
std::optional<PathList> read_path_list(const std::string& list_file);

// newswatchd check-config --config FILE: validates the config and every watchlist it names.
int run_check_config_command(const std::string& config_file);

// newswatchd run --config FILE: the daemon, until SIGTERM or SIGINT.
int run_daemon(const std::string& config_file);

}  // namespace newswatch
