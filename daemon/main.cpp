// newswatchd: the process. Parses the command line and hands over to a command; all the work is in
// libnewswatch and daemon/*.cpp.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "commands.hpp"
#include "import_dictionary.hpp"
#include "service_module.hpp"

namespace {

std::string default_config_path() {
  if (const char* env = std::getenv("NEWSWATCH_CONFIG")) return env;
  return "/etc/newswatch/newswatch.yaml";
}

constexpr const char* kExamples = R"(
Examples:
  newswatchd run --config config/newswatch.yaml       poll the feeds, publish alerts
  newswatchd check-config --config /etc/newswatch/newswatch.yaml
  newswatchd parse feed.xml                           articles as JSON lines
  curl -s https://example.org/feed.rss | newswatchd parse -
  echo "Russia masses troops near Ukraine" | newswatchd match --watchlist config/watchlists/eastern-flank.yaml
  newswatchd scan --config config/newswatch.yaml saved-feed.xml
  find saved/ -name '*.xml' | newswatchd scan --config config/newswatch.yaml --files-from -
)";

// Edit distance (insertions, deletions, substitutions, adjacent swaps) for "did you mean" hints.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      d[i][j] =
          std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

// CLI11 says which arguments it did not expect but not what was meant; a mistyped option or command
// is usually one or two keystrokes away from a real one, so name it.
void print_hints(const CLI::App& app, int argc, char** argv) {
  std::vector<std::string> commands;
  std::vector<std::string> options;
  auto add_options = [&](const CLI::App& scope) {
    for (const CLI::Option* option : scope.get_options()) {
      for (const std::string& name : option->get_lnames()) options.push_back("--" + name);
    }
  };
  add_options(app);
  for (const CLI::App* command : app.get_subcommands({})) {
    commands.push_back(command->get_name());
    add_options(*command);
  }
  auto closest = [](std::string_view word, const std::vector<std::string>& candidates) -> std::string {
    std::string best;
    std::size_t best_distance = 3;  // more than two edits away is not a typo
    for (const std::string& candidate : candidates) {
      const std::size_t distance = edit_distance(word, candidate);
      if (distance < best_distance) best_distance = distance, best = candidate;
    }
    return best;
  };
  for (int i = 1; i < argc; ++i) {
    std::string_view word = argv[i];
    if (word.starts_with("--")) {
      word = word.substr(0, word.find('='));
      if (std::find(options.begin(), options.end(), word) != options.end()) continue;
      if (const std::string hint = closest(word, options); !hint.empty()) {
        std::cerr << "unknown option " << word << ": did you mean " << hint << "?\n";
      }
    } else if (i == 1 && !word.starts_with("-") &&
               std::find(commands.begin(), commands.end(), word) == commands.end()) {
      if (const std::string hint = closest(word, commands); !hint.empty()) {
        std::cerr << "unknown command " << word << ": did you mean " << hint << "?\n";
      }
    }
  }
}

constexpr const char* kFilesFromHelp =
    "Also read the files named in FILE, one path a line (- reads the list from standard input)";

// The files named on the command line and in the --files-from list, in that order: views of `named`
// and of the list's bytes, which `list` keeps. Returns 0, or the exit code after saying why on
// standard error: a list that cannot be read is a problem (1) as a feed file that cannot be read is;
// no files at all is a usage error (2). Thousands of paths are better given in a list: on the command
// line they are copied at every exec, and a shell's limit on the command line's length ends the run
// before it starts.
int gather_files(const std::vector<std::string>& named, const std::string& files_from,
                 std::optional<newswatch::PathList>& list, std::vector<std::string_view>& files) {
  files.assign(named.begin(), named.end());
  if (!files_from.empty()) {
    if (files_from == "-" && std::find(named.begin(), named.end(), "-") != named.end()) {
      std::cerr << "--files-from -: standard input cannot be both the list and a feed\n";
      return newswatch::kExitUsage;
    }
    list = newswatch::read_path_list(files_from);
    if (!list) {
      std::cerr << "--files-from " << files_from << ": cannot read the file\n";
      return newswatch::kExitProblems;
    }
    files.insert(files.end(), list->paths.begin(), list->paths.end());
  }
  if (files.empty()) {
    std::cerr << "no feed files: name them, or list them in a file given with --files-from\n";
    return newswatch::kExitUsage;
  }
  return newswatch::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"newswatchd: watches news feeds for actors and troop movements and publishes alerts"};
  app.set_version_flag("--version", std::string("newswatchd ") + NEWSWATCH_VERSION);
  app.footer(kExamples);
  app.require_subcommand(0, 1);

  std::string config_file = default_config_path();

  // `newswatchd --config FILE` runs the daemon, as `newswatchd run --config FILE` does.
  app.add_option("-c,--config", config_file, "Configuration file for the default command, run");
  auto* run = app.add_subcommand("run", "Run the daemon (the default command)");
  run->add_option("-c,--config", config_file,
                  "Configuration file (default $NEWSWATCH_CONFIG or /etc/newswatch/newswatch.yaml)");

  auto* check = app.add_subcommand("check-config", "Validate a configuration and its watchlists");
  check->add_option("-c,--config", config_file, "Configuration file");

  std::vector<std::string> parse_files;
  std::size_t max_items = 10000;
  auto* parse = app.add_subcommand("parse", "Parse feed files and print their articles as JSON lines");
  std::string parse_files_from;
  parse->add_option("files", parse_files, "Feed files; - reads standard input");
  parse->add_option("--files-from", parse_files_from, kFilesFromHelp);
  parse->add_option("--max-items", max_items, "Items read per feed")->check(CLI::PositiveNumber);

  std::vector<std::string> watchlists;
  auto* match = app.add_subcommand("match", "Match lines of standard input against watchlists");
  match->add_option("-w,--watchlist", watchlists, "Watchlist file (repeatable)")->required();

  std::vector<std::string> feed_files;
  auto* scan = app.add_subcommand("scan", "Print the alerts the daemon would publish for local feed files");
  scan->add_option("-c,--config", config_file, "Configuration file (for its watchlists)");
  std::string feed_url;
  scan->add_option("--feed-url", feed_url, "The URL the files were fetched from (default: file://<path>)");
  std::string scan_files_from;
  scan->add_option("files", feed_files, "Feed files; - reads standard input");
  scan->add_option("--files-from", scan_files_from, kFilesFromHelp);

  std::vector<std::string> dictionary_files;
  std::string dictionary_output;
  auto* import_dictionary =
      app.add_subcommand("import-dictionary", "Turn TABARI/PETRARCH .actors files into a watchlist (YAML)");
  import_dictionary->add_option("files", dictionary_files, "Actor dictionary files")->required();
  import_dictionary->add_option("-o,--output", dictionary_output,
                                "Watchlist file to write (default: standard output)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    if (code != 0) print_hints(app, argc, argv);
    return code;
  }

  if (*check) return newswatch::run_check_config_command(config_file);
  if (*parse) {
    std::optional<newswatch::PathList> list;
    std::vector<std::string_view> files;
    const int code = gather_files(parse_files, parse_files_from, list, files);
    if (code != newswatch::kExitOk) return code;
    return newswatch::run_parse_command(files, max_items);
  }
  if (*match) return newswatch::run_match_command(watchlists);
  if (*import_dictionary)
    return newswatch::run_import_dictionary_command(dictionary_files, dictionary_output);
  if (*scan) {
    std::optional<newswatch::PathList> list;
    std::vector<std::string_view> files;
    const int code = gather_files(feed_files, scan_files_from, list, files);
    if (code != newswatch::kExitOk) return code;
    return newswatch::run_scan_command(config_file, files, feed_url);
  }
  return newswatch::run_service_module(config_file);
}
