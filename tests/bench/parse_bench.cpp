// Figure 1, parse: items per second of parse_feed over the real fixture corpus (every .xml/.json file
// under shared/fixtures/feeds that parses), repeated to about one second of CPU time.
//
// Usage: bench_parse [FILE_LIST_OUT] [PASSES]
//   FILE_LIST_OUT receives the paths of the files that parsed, one a line, so the Python feedparser
//   peer (tests/bench/peers.py parse) reads exactly the same files ("-" for none).
//   PASSES runs exactly that many passes instead of one second's worth, for counting instructions:
//   valgrind --tool=callgrind --toggle-collect='newswatch::parse_feed*' bench_parse - 4
//   (the first pass also fills caches; compare two pass counts for the cost of one pass).
#include <cstdio>
#include <fstream>
#include <string>
#include <string_view>

#include "bench_support.hpp"
#include "feed/parser.hpp"

using namespace newswatch;

int main(int argc, char** argv) {
  struct Document {
    bench::fs::path path;
    std::string bytes;
  };
  std::vector<Document> documents;
  std::size_t items_per_pass = 0, bytes_per_pass = 0, refused = 0;
  for (const auto& path : bench::fixture_feed_files()) {
    std::string bytes = bench::read_file(path);
    const auto parsed = parse_feed(bytes, "", "");
    if (!parsed) {
      ++refused;
      continue;
    }
    items_per_pass += parsed->feed.articles.size();
    bytes_per_pass += bytes.size();
    documents.push_back({path, std::move(bytes)});
  }
  if (argc > 1 && std::string_view(argv[1]) != "-") {
    std::ofstream list(argv[1]);
    for (const auto& document : documents) list << document.path.string() << '\n';
  }

  std::size_t passes = 0, items = 0;
  const double start = bench::cpu_seconds();
  double elapsed = 0;
  const std::size_t fixed_passes = argc > 2 ? std::stoul(argv[2]) : 0;
  while (fixed_passes ? passes < fixed_passes : elapsed < 1.0) {
    for (const auto& document : documents) {
      const auto parsed = parse_feed(document.bytes, "", "");
      items += parsed ? parsed->feed.articles.size() : 0;
    }
    ++passes;
    elapsed = bench::cpu_seconds() - start;
  }
  const double megabytes = static_cast<double>(bytes_per_pass * passes) / 1e6;
  std::printf(
      "{\"bench\":\"parse\",\"impl\":\"newswatch\",\"files\":%zu,\"refused_files\":%zu,\"items_per_pass\":%"
      "zu,"
      "\"bytes_per_pass\":%zu,\"passes\":%zu,\"cpu_s\":%.3f,\"items_per_s\":%.0f,\"mb_per_s\":%.1f}\n",
      documents.size(), refused, items_per_pass, bytes_per_pass, passes, elapsed,
      static_cast<double>(items) / elapsed, megabytes / elapsed);
  return 0;
}
