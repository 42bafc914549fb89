#pragma once
// A fresh directory under the system temp folder, removed with everything in it at scope exit (made
// writable again first, so a test may take permissions away).
#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>

namespace newswatch::testing {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "newswatch-test") {
    std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all, ignored);
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace newswatch::testing
