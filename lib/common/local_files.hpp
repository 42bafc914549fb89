#pragma once
// The files named on a command line, read whole, and their file:// URLs. A command reads thousands of
// small files from a few directories: each file is opened relative to its directory, kept open from
// the file before, so the kernel does not walk the whole path again for every file, and its URL is
// the directory's, worked out once, and its name. Plain system calls, not streams: a stream's buffer
// and locale cost a third more than the reading itself.
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace newswatch {

class LocalFiles {
 public:
  LocalFiles() = default;
  LocalFiles(const LocalFiles&) = delete;
  LocalFiles& operator=(const LocalFiles&) = delete;
  ~LocalFiles();

  // The whole file ("-" is standard input), or nothing when it cannot be opened or read.
  std::optional<std::string> read(std::string_view file);

  // What a configured file:// feed of the same file would be called: the absolute path, normalised.
  // "-" is "stdin:".
  std::string feed_url(std::string_view file);

 private:
  static std::pair<std::string_view, std::string_view> split(std::string_view file);
  void enter(std::string_view directory);
  void close_directory();

  static constexpr int kUnopened = -2;  // AT_FDCWD is -100 and a failed open -1
  std::string name_;
  std::string directory_;
  int directory_fd_ = kUnopened;
  std::string directory_url_;
};

}  // namespace newswatch
