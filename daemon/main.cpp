// newswatchd: the process. Parses the command line and hands over to a command; all the work is in
// libnewswatch and daemon/*.cpp.
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <string>
#include <vector>

#include "commands.hpp"
#include "import_dictionary.hpp"

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
)";

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"newswatchd: watches news feeds for actors and troop movements and publishes alerts"};
  app.set_version_flag("--version", std::string("newswatchd ") + NEWSWATCH_VERSION);
  app.footer(kExamples);
  app.require_subcommand(0, 1);

  std::string config_file = default_config_path();

  auto* run = app.add_subcommand("run", "Run the daemon (the default command)");
  run->add_option("-c,--config", config_file, "Configuration file (default $NEWSWATCH_CONFIG or /etc/newswatch/newswatch.yaml)");

  auto* check = app.add_subcommand("check-config", "Validate a configuration and its watchlists");
  check->add_option("-c,--config", config_file, "Configuration file");

  std::vector<std::string> parse_files;
  std::size_t max_items = 10000;
  auto* parse = app.add_subcommand("parse", "Parse feed files and print their articles as JSON lines");
  parse->add_option("files", parse_files, "Feed files; - reads standard input")->required();
  parse->add_option("--max-items", max_items, "Items read per feed")->check(CLI::PositiveNumber);

  std::vector<std::string> watchlists;
  auto* match = app.add_subcommand("match", "Match lines of standard input against watchlists");
  match->add_option("-w,--watchlist", watchlists, "Watchlist file (repeatable)")->required();

  std::vector<std::string> feed_files;
  auto* scan = app.add_subcommand("scan", "Print the alerts the daemon would publish for local feed files");
  scan->add_option("-c,--config", config_file, "Configuration file (for its watchlists)");
  std::string feed_url;
  scan->add_option("--feed-url", feed_url, "The URL the files were fetched from (default: file://<path>)");
  scan->add_option("files", feed_files, "Feed files; - reads standard input")->required();

  std::vector<std::string> dictionary_files;
  std::string dictionary_output;
  auto* import_dictionary =
      app.add_subcommand("import-dictionary", "Turn TABARI/PETRARCH .actors files into a watchlist (YAML)");
  import_dictionary->add_option("files", dictionary_files, "Actor dictionary files")->required();
  import_dictionary->add_option("-o,--output", dictionary_output, "Watchlist file to write (default: standard output)");

  CLI11_PARSE(app, argc, argv);

  if (*check) return newswatch::run_check_config_command(config_file);
  if (*parse) return newswatch::run_parse_command(parse_files, max_items);
  if (*match) return newswatch::run_match_command(watchlists);
  if (*import_dictionary) return newswatch::run_import_dictionary_command(dictionary_files, dictionary_output);
  if (*scan) return newswatch::run_scan_command(config_file, feed_files, feed_url);
  return newswatch::run_daemon(config_file);
}
