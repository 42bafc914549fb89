#include "common/local_files.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "temp_dir.hpp"

namespace {

void write(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

}  // namespace

TEST_CASE("LocalFiles reads files from several directories in any order, each whole") {
  const newswatch::testing::TempDir temp("newswatch-local-files");
  const std::filesystem::path a = temp.path() / "a", b = temp.path() / "b";
  std::filesystem::create_directories(a);
  std::filesystem::create_directories(b);
  const std::string big(70000, 'x');  // past the one-pread() size, read the long way
  write(a / "one.xml", "<rss>one</rss>");
  write(a / "big.xml", big);
  write(a / "empty.xml", "");
  write(b / "one.xml", "<rss>b</rss>");

  newswatch::LocalFiles files;
  // Back and forth between the two directories: the descriptor kept from the file before must be
  // the right directory's every time.
  CHECK(files.read((a / "one.xml").string()) == "<rss>one</rss>");
  CHECK(files.read((b / "one.xml").string()) == "<rss>b</rss>");
  CHECK(files.read((a / "one.xml").string()) == "<rss>one</rss>");
  CHECK(files.read((a / "big.xml").string()) == big);
  CHECK(files.read((a / "empty.xml").string()) == "");

  // What cannot be read is nothing, and the next file reads as before.
  CHECK_FALSE(files.read((a / "missing.xml").string()));
  CHECK_FALSE(files.read((temp.path() / "no-such-directory" / "one.xml").string()));
  CHECK_FALSE(files.read(a.string()));  // "…/a": the name of a directory
  CHECK(files.read((b / "one.xml").string()) == "<rss>b</rss>");

  // A path relative to the working directory, through "..", reads the same file.
  const std::filesystem::path relative = std::filesystem::relative(a / "one.xml");
  INFO(relative.string());
  CHECK(files.read(relative.string()) == "<rss>one</rss>");
}

TEST_CASE("LocalFiles names a file with the file:// URL of its absolute, normalised path") {
  const newswatch::testing::TempDir temp("newswatch-local-files");
  const std::filesystem::path dir = temp.path() / "feeds";
  std::filesystem::create_directories(dir / "sub");
  const std::string expected = "file://" + (dir / "a.xml").string();

  newswatch::LocalFiles files;
  CHECK(files.feed_url((dir / "a.xml").string()) == expected);
  CHECK(files.feed_url((dir / "sub" / ".." / "." / "a.xml").string()) == expected);
  CHECK(files.feed_url(std::filesystem::relative(dir / "a.xml").string()) == expected);
  // Another directory and back: each file keeps its own directory's URL.
  CHECK(files.feed_url((dir / "sub" / "b.xml").string()) == "file://" + (dir / "sub" / "b.xml").string());
  CHECK(files.feed_url((dir / "a.xml").string()) == expected);
  // A bare name is in the working directory; standard input has a name of its own.
  CHECK(files.feed_url("c.xml") == "file://" + (std::filesystem::current_path() / "c.xml").string());
  CHECK(files.feed_url("-") == "stdin:");
}
