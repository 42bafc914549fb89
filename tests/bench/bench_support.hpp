#pragma once
// What the benchmark programs share: where the shared fixtures are, the fixture feed files, and a
// CPU clock. CPU time, not wall time: the machine is shared, and other processes' load would
// otherwise count as ours (scripts/bench also pins every program to one core).
#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace newswatch::bench {

namespace fs = std::filesystem;

inline fs::path shared_dir() {
  if (const char* env = std::getenv("NEWSWATCH_SHARED_DIR")) return env;
  return NEWSWATCH_SHARED_DIR;
}

inline std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Every .xml and .json file under the fixture feeds, sorted so every run reads them in one order.
inline std::vector<fs::path> fixture_feed_files() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(shared_dir() / "fixtures" / "feeds")) {
    const auto extension = entry.path().extension();
    if (entry.is_regular_file() && (extension == ".xml" || extension == ".json"))
      files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

inline double cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

// Lines of a file, empty lines skipped.
inline std::vector<std::string> read_lines(const fs::path& path) {
  std::vector<std::string> lines;
  std::istringstream in(read_file(path));
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

}  // namespace newswatch::bench
