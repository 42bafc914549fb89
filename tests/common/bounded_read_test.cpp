#include "common/bounded_read.hpp"

#include <catch2/catch.hpp>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <thread>

#include <unistd.h>

#include "temp_dir.hpp"

TEST_CASE("read_file_at_most reads a whole file, refuses one over the cap and says why it cannot read") {
  using newswatch::FileBytes;
  using newswatch::read_file_at_most;
  const newswatch::testing::TempDir temp("newswatch-bounded-read");
  const std::filesystem::path& dir = temp.path();
  const std::string big(200000, 'a');  // more than one chunk of the non-regular path
  std::ofstream(dir / "big", std::ios::binary) << big;
  std::ofstream(dir / "empty", std::ios::binary).flush();

  const FileBytes whole = read_file_at_most(dir / "big", big.size());
  REQUIRE(whole);
  CHECK(whole.bytes == big);
  CHECK(read_file_at_most(dir / "big", big.size() - 1).problem == FileBytes::Problem::too_large);
  const FileBytes empty = read_file_at_most(dir / "empty", 10);
  REQUIRE(empty);
  CHECK(empty.bytes.empty());

  const FileBytes missing = read_file_at_most(dir / "missing", 10);
  CHECK(missing.problem == FileBytes::Problem::cannot_open);
  CHECK(missing.error == ENOENT);
  // A directory opens but does not read.
  const FileBytes directory = read_file_at_most(dir, 10);
  CHECK(directory.problem == FileBytes::Problem::read_failed);
  CHECK(directory.error == EISDIR);
  // Reports size 0 and never ends: read in chunks up to the cap.
  CHECK(read_file_at_most("/dev/zero", 1 << 20).problem == FileBytes::Problem::too_large);
  // Not regular, with an end: read to it.
  const FileBytes null = read_file_at_most("/dev/null", 10);
  REQUIRE(null);
  CHECK(null.bytes.empty());
}

TEST_CASE("read_file_at_most reads files on either side of its one-read size whole") {
  using newswatch::FileBytes;
  using newswatch::read_file_at_most;
  const newswatch::testing::TempDir temp("newswatch-bounded-read-sizes");
  // 16 KB is read in one pread(); a file that fills it is read again by its length.
  for (const std::size_t size : {std::size_t{1}, std::size_t{16383}, std::size_t{16384}, std::size_t{16385},
                                 std::size_t{40000}}) {
    std::string bytes(size, '\0');
    for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>('a' + (i * 7 + i / 26) % 26);
    const std::filesystem::path file = temp.path() / std::to_string(size);
    std::ofstream(file, std::ios::binary) << bytes;
    INFO(size);
    const FileBytes read = read_file_at_most(file, size);
    REQUIRE(read);
    CHECK(read.bytes == bytes);
    CHECK(read_file_at_most(file, size - 1).problem == FileBytes::Problem::too_large);
  }
}

TEST_CASE("read_descriptor_at_most reads a pipe in chunks to its end") {
  using newswatch::read_descriptor_at_most;
  int ends[2];
  REQUIRE(::pipe(ends) == 0);
  const std::string data(150000, 'p');  // more than two chunks, more than a pipe's buffer
  std::thread writer([&] {
    std::size_t written = 0;
    while (written < data.size()) {
      const ssize_t n = ::write(ends[1], data.data() + written, data.size() - written);
      if (n <= 0) break;
      written += static_cast<std::size_t>(n);
    }
    ::close(ends[1]);
  });
  const auto read = read_descriptor_at_most(ends[0], data.size());
  writer.join();
  ::close(ends[0]);
  REQUIRE(read);
  CHECK(read.bytes == data);
}

TEST_CASE("read_file_in_chunks hands a file over in pieces, with read_file_at_most's problems") {
  using newswatch::FileBytes;
  using newswatch::read_file_in_chunks;
  const newswatch::testing::TempDir temp("newswatch-chunked-read");
  const std::filesystem::path& dir = temp.path();
  std::string big;
  for (int i = 0; i < 30000; ++i) big += std::to_string(i) + ',';  // about 150 KB: three chunks
  std::ofstream(dir / "big", std::ios::binary) << big;

  std::string seen;
  int chunks = 0;
  const auto collect = [&](std::string_view chunk) {
    CHECK(chunk.size() <= (1u << 16));
    seen.append(chunk);
    ++chunks;
  };
  const auto whole = read_file_in_chunks(dir / "big", big.size(), collect);
  REQUIRE(whole);
  CHECK(whole.size == big.size());
  CHECK(seen == big);
  CHECK(chunks >= 3);

  CHECK(read_file_in_chunks(dir / "big", big.size() - 1, [](std::string_view) {}).problem ==
        FileBytes::Problem::too_large);
  const auto missing = read_file_in_chunks(dir / "missing", 10, [](std::string_view) {});
  CHECK(missing.problem == FileBytes::Problem::cannot_open);
  CHECK(missing.error == ENOENT);
  const auto directory = read_file_in_chunks(dir, 10, [](std::string_view) {});
  CHECK(directory.problem == FileBytes::Problem::read_failed);
  CHECK(directory.error == EISDIR);
  CHECK(read_file_in_chunks("/dev/zero", 1 << 20, [](std::string_view) {}).problem ==
        FileBytes::Problem::too_large);
}
