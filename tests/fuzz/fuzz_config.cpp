// Config loader: any text as newswatch.yaml, read from memory and, for a few inputs, from a temporary
// file. Checks: never crashes or throws; every problem names the file and says what; a valid
// configuration has only absolute paths and sane numbers.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>

#include "config.hpp"
#include "fuzz_support.hpp"

using namespace newswatch;

namespace {

// An empty folder of our own: relative paths in the input (password_file: x) resolve inside it.
const std::filesystem::path& base_dir() {
  static const std::filesystem::path dir = [] {
    std::string pattern = (std::filesystem::temp_directory_path() / "newswatch-fuzz-config-XXXXXX").string();
    fuzz::require(mkdtemp(pattern.data()) != nullptr, "a temporary folder can be made");
    return std::filesystem::path(pattern);
  }();
  return dir;
}

void check(const Result<Config, std::vector<ConfigProblem>>& result, const std::string& file) {
  if (!result) {
    fuzz::require(!result.error().empty(), "a failure names at least one problem");
    for (const ConfigProblem& problem : result.error()) {
      fuzz::require(problem.file == file, "every problem names the file", problem.to_string());
      fuzz::require(!problem.message.empty(), "every problem says what", problem.to_string());
    }
    return;
  }
  fuzz::require(result->state_dir.is_absolute(), "state_dir is absolute", result->state_dir.string());
  for (const auto& path : result->watchlists) fuzz::require(path.is_absolute(), "watchlists are absolute");
  fuzz::require(result->poll.interval.count() > 0, "the poll interval is positive");
  fuzz::require(result->poll.concurrency > 0 && result->poll.per_host > 0, "concurrency is positive");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 65536) return 0;
  const std::string text(fuzz::as_text(data, size));
  const std::string memory_name = "fuzz.yaml";
  check(parse_config(text, memory_name, base_dir()), memory_name);

  // The file path costs a write per input: take it for one input in 64, chosen by content.
  if (size > 0 && data[0] % 64 == 0) {
    const std::filesystem::path file = base_dir() / "newswatch.yaml";
    std::ofstream(file, std::ios::binary | std::ios::trunc).write(text.data(), std::streamsize(text.size()));
    check(load_config(file), file.string());
  }
  return 0;
}
