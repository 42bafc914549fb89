#pragma once
// Reading a whole input whose size is not to be trusted (a mistyped path may name a log, a pipe or
// /dev/zero, which reports size 0).
#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace newswatch {

// A whole file by path, refused when it holds more than max_bytes. A file under 16 KB is read in one
// pread() without asking its length; a longer regular file in one call sized by its length (a 470 KB
// watchlist: 0.18 ms against 0.36 through std::ifstream in 16 KB chunks); anything else (a pipe,
// /dev/zero) in 64 KB chunks until it ends or passes the cap, so that no cap-sized buffer is allocated
// up front and an endless input is not read to its end.
struct FileBytes {
  enum class Problem { none, cannot_open, too_large, read_failed };
  std::string bytes;
  Problem problem = Problem::none;
  int error = 0;  // errno of cannot_open and read_failed
  explicit operator bool() const { return problem == Problem::none; }
};
FileBytes read_file_at_most(const std::filesystem::path& path, std::size_t max_bytes);
// A whole file by path handed to `consume` in chunks of at most 64 KB, for a reader that needs each
// byte once (a digest) and not the file in memory. The same problems as read_file_at_most; the
// chunks before a problem have been consumed. `size` counts the bytes read.
struct ChunkedRead {
  FileBytes::Problem problem = FileBytes::Problem::none;
  int error = 0;
  std::size_t size = 0;
  explicit operator bool() const { return problem == FileBytes::Problem::none; }
};
ChunkedRead read_file_in_chunks(const std::filesystem::path& path, std::size_t max_bytes,
                                const std::function<void(std::string_view)>& consume);
// The same as read_file_at_most for a file just opened (left open), read from its start wherever it
// can be; cannot_open is never the answer.
FileBytes read_descriptor_at_most(int fd, std::size_t max_bytes);

}  // namespace newswatch
