// Watchlist loader and compiler: any text as a watchlist YAML file, then compiled on its own. Checks:
// never crashes or throws; every problem has a message and names the file; a compiled watchlist
// matches its own terms' text without breaking the matcher's promises (offsets inside the text).
#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "match/matcher.hpp"
#include "match/watchlist.hpp"

using namespace newswatch;

namespace {

void check_problems(const std::vector<WatchlistError>& problems) {
  fuzz::require(!problems.empty(), "a failure names at least one problem");
  for (const WatchlistError& problem : problems) {
    fuzz::require(!problem.message.empty(), "every problem says what", problem.to_string());
    fuzz::require(problem.file == "fuzz.yaml", "every problem names the file", problem.to_string());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 16384) return 0;  // the loader's cost grows with the input; long inputs add nothing new
  auto watchlist = parse_watchlist(fuzz::as_text(data, size), "fuzz.yaml");
  if (!watchlist) {
    check_problems(watchlist.error());
    return 0;
  }
  // The terms themselves, one per line, are a text that should match (or at least not break anything).
  std::string text;
  for (const auto& actor : watchlist->actors) {
    for (const auto& term : actor.terms) text.append(term.spec.text).push_back('\n');
  }
  for (const auto& group : watchlist->keyword_groups) {
    for (const auto& term : group.terms) text.append(term.spec.text).push_back('\n');
  }
  auto matcher = Matcher::compile({std::move(*watchlist)});
  if (!matcher) {
    check_problems(matcher.error());
    return 0;
  }
  for (const TextHit& hit : (*matcher)->match_text(text)) {
    fuzz::require(hit.start < hit.end && hit.end <= text.size(), "a hit lies inside the text", text);
  }
  return 0;
}
