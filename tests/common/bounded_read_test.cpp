#include "common/bounded_read.hpp"

#include <catch2/catch.hpp>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>

using newswatch::read_at_most;

TEST_CASE("read_at_most reads up to the cap, refuses beyond it and never reads an endless input") {
  std::istringstream empty("");
  CHECK(read_at_most(empty, 10) == std::string());
  std::istringstream exact("0123456789");
  CHECK(read_at_most(exact, 10) == std::string("0123456789"));
  std::istringstream over("0123456789x");
  CHECK_FALSE(read_at_most(over, 10).has_value());
  // Longer than one internal chunk on both sides of the cap.
  const std::string big(100000, 'a');
  std::istringstream fits(big);
  CHECK(read_at_most(fits, big.size()) == big);
  std::istringstream too_big(big);
  CHECK_FALSE(read_at_most(too_big, big.size() - 1).has_value());
  std::ifstream zero("/dev/zero", std::ios::binary);  // reports size 0 and never ends
  REQUIRE(zero);
  CHECK_FALSE(read_at_most(zero, 1 << 20).has_value());
}

TEST_CASE("read_file_at_most reads a whole file, refuses one over the cap and says why it cannot read") {
  using newswatch::FileBytes;
  using newswatch::read_file_at_most;
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "newswatch-bounded-read-test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
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
  std::filesystem::remove_all(dir);
}
