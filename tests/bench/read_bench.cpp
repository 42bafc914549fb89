// The floor under the scan figure: how long a fresh process takes to read the files a bench scan
// reads, with scan's own reading code (LocalFiles: each file opened relative to its directory, read
// whole, closed, and its file:// URL made), and nothing else. One pass, timed inside the process, so
// that the process's start is not in it (scripts/bench times `newswatchd --version` for that).
// Wall time, as the scan figure is. A run that finds files dropped from the page cache reads them
// from the disk (34-225 ms on one boot of the build VM, against 6 ms right after): scripts/bench
// takes the median of 21 runs, as it does for the scan, so such a first run is not the figure.
//
// Usage: bench_read FILE_LIST
#include <chrono>
#include <cstdio>
#include <string>

#include "bench_support.hpp"
#include "common/local_files.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: bench_read FILE_LIST\n");
    return 2;
  }
  const std::vector<std::string> paths = newswatch::bench::read_lines(argv[1]);
  std::size_t bytes = 0, url_bytes = 0, unreadable = 0;
  const auto start = std::chrono::steady_clock::now();
  newswatch::LocalFiles files;
  for (const std::string& path : paths) {
    const auto read = files.read(path);
    if (!read) {
      ++unreadable;
      continue;
    }
    bytes += read->size();
    url_bytes += files.feed_url(path).size();
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("{\"bench\":\"read\",\"impl\":\"newswatch\",\"files\":%zu,\"unreadable\":%zu,\"bytes\":%zu,"
              "\"url_bytes\":%zu,\"wall_s\":%.6f}\n",
              paths.size(), unreadable, bytes, url_bytes, seconds);
  return unreadable == 0 ? 0 : 1;
}
