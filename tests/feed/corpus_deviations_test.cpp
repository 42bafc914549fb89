// known_deviations.txt stays honest: every line gives a reason and names files that exist.
#include "corpus_support.hpp"

namespace newswatch::testing {
namespace {

TEST_CASE("every known deviation has a field, a reason and matching fixture files", "[corpus][deviations]") {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(feeds_dir())) {
    if (entry.is_regular_file()) files.push_back(relative_name(entry.path()));
  }
  const std::vector<KnownDeviation> deviations = load_known_deviations();
  REQUIRE(deviations.size() >= 20);
  for (const KnownDeviation& deviation : deviations) {
    INFO(deviation.file_pattern);
    CHECK_FALSE(deviation.field.empty());
    CHECK(deviation.reason.size() >= 10);
    const bool matches = std::any_of(files.begin(), files.end(), [&](const std::string& file) {
      return fnmatch(deviation.file_pattern.c_str(), file.c_str(), 0) == 0;
    });
    CHECK(matches);
  }
}

}  // namespace
}  // namespace newswatch::testing
