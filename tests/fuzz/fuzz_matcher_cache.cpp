// Restoring a compiled matcher from bytes that are not what was saved (the cache's checksum aside: a
// collision, or a bug in saving). The input is a list of edits to the saved bytes of the shipped
// watchlist, so that the fuzzer starts from a valid matcher and damages it a few bytes at a time.
// Checks: restoring never crashes, reads out of bounds or hangs; it refuses the bytes, or gives a
// matcher that keeps the matcher's promises on the seed article (hits inside their field, ordered).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "fuzz_support.hpp"
#include "match/detail/serialize.hpp"
#include "match/matcher.hpp"

using namespace newswatch;

namespace {

const std::string& saved() {
  static const std::string bytes = [] {
    auto matcher = load_matcher({NEWSWATCH_SOURCE_DIR "/config/watchlists/eastern-flank.yaml"});
    fuzz::require(static_cast<bool>(matcher), "the shipped watchlist compiles");
    match_detail::ByteWriter writer;
    match_detail::save_matcher(**matcher, writer);
    return writer.take();
  }();
  return bytes;
}

Article article() {
  Article a;
  a.title = "Russia wants NATO forces out of Romania and Bulgaria";
  a.summary = "Moscow demanded that NATO withdraw its troops from Romania and Bulgaria.";
  a.content =
      "Russia's foreign ministry said NATO should pull foreign forces out of Romania and Bulgaria. "
      "Troops were deployed near the border; tanks crossed the river and warships massed at Sevastopol.\n\n"
      "Ciucă and Stoltenberg spoke on Friday.";
  return a;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string bytes = saved();
  // Each 4 bytes: a 3-byte offset and the byte to write there. 1 to 3 bytes left over: a cut of that
  // many times 256 bytes, less the value, off the end.
  std::size_t i = 0;
  for (; i + 4 <= size; i += 4) {
    const std::size_t at = (data[i] | data[i + 1] << 8 | data[i + 2] << 16) % bytes.size();
    bytes[at] = static_cast<char>(data[i + 3]);
  }
  if (i < size) {
    const std::size_t cut = std::min(bytes.size(), (size - i) * 256 - data[i]);
    bytes.resize(bytes.size() - cut);
  }
  // Tables look at the bytes, as a command's hit looks at the mapped entry: an index past a table
  // reads past the buffer, which the sanitizers see.
  const auto owned = std::make_shared<const std::string>(std::move(bytes));
  match_detail::ByteReader reader(*owned, owned);
  const auto matcher = match_detail::restore_matcher(reader, {});
  if (!matcher) return 0;
  const Article a = article();
  const MatchResult result = matcher->match(a);
  for (const Match& m : result.matches) {
    const std::string& field = m.field == MatchField::title     ? a.title
                               : m.field == MatchField::summary ? a.summary
                                                                : a.content;
    fuzz::require(m.start < m.end && m.end <= field.size(), "a hit lies inside its field", m.term);
  }
  const auto hits = matcher->match_text(a.content);
  for (std::size_t h = 0; h < hits.size(); ++h) {
    fuzz::require(hits[h].start < hits[h].end && hits[h].end <= a.content.size(), "a hit lies inside the text");
    if (h > 0) fuzz::require(hits[h - 1].start <= hits[h].start, "hits are ordered by start");
  }
  return 0;
}
