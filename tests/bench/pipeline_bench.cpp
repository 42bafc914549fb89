// Figure 3, end to end in-process: articles per second from feed bytes to alert JSON — parse_feed,
// then evaluate_article (daemon/pipeline.hpp: identity, normalise + match, build the alert), the very
// path `newswatchd scan` and the daemon's loop take — repeated to about one second of CPU time.
// State writes and the sink are not included (the state bench measures those).
//
// Usage: bench_pipeline FILE_LIST WATCHLIST...
//   FILE_LIST: feed files, one a line (bench_parse writes the list of the fixture files that parse).
#include <cstdio>

#include "bench_support.hpp"
#include "feed/parser.hpp"
#include "pipeline.hpp"

using namespace newswatch;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: bench_pipeline FILE_LIST WATCHLIST...\n");
    return 2;
  }
  std::vector<std::filesystem::path> watchlists(argv + 2, argv + argc);
  const double load_start = bench::cpu_seconds();
  const auto matcher = load_matcher(watchlists);
  const double load_seconds = bench::cpu_seconds() - load_start;
  if (!matcher) {
    for (const auto& problem : matcher.error()) std::fprintf(stderr, "%s\n", problem.to_string().c_str());
    return 1;
  }
  struct Document {
    std::string url;
    std::string bytes;
  };
  std::vector<Document> documents;
  for (const auto& path : bench::read_lines(argv[1])) {
    documents.push_back({"file://" + path, bench::read_file(path)});
  }

  const Instant now = current_instant();
  std::size_t articles = 0, alerts = 0, alert_bytes = 0, passes = 0;
  const double start = bench::cpu_seconds();
  double elapsed = 0;
  while (elapsed < 1.0) {
    for (const auto& document : documents) {
      const auto parsed = parse_feed(document.bytes, "", document.url);
      if (!parsed) continue;
      const FeedInfo feed{document.url, parsed->feed.title};
      for (const auto& article : parsed->feed.articles) {
        const ArticleVerdict verdict = evaluate_article(article, feed, **matcher, now);
        ++articles;
        if (verdict.alert) {
          ++alerts;
          alert_bytes += verdict.alert->json.size();
        }
      }
    }
    ++passes;
    elapsed = bench::cpu_seconds() - start;
  }
  std::printf(
      "{\"bench\":\"pipeline\",\"impl\":\"newswatch\",\"terms\":%zu,\"load_s\":%.3f,\"files\":%zu,"
      "\"articles_per_pass\":%zu,\"alerts_per_pass\":%zu,\"alert_bytes_per_pass\":%zu,\"passes\":%zu,"
      "\"cpu_s\":%.3f,\"articles_per_s\":%.0f}\n",
      (*matcher)->term_count(), load_seconds, documents.size(), articles / passes, alerts / passes,
      alert_bytes / passes, passes, elapsed, static_cast<double>(articles) / elapsed);
  return 0;
}
