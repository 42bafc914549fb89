#pragma once
// Where the tests find their data: the shared fixtures beside the tree, and our own files.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace newswatch::testing {

inline std::filesystem::path shared_dir() { return NEWSWATCH_SHARED_DIR; }
inline std::filesystem::path source_dir() { return NEWSWATCH_SOURCE_DIR; }
inline std::filesystem::path tests_dir() { return NEWSWATCH_TESTS_DIR; }

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace newswatch::testing
