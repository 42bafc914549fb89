// Matcher: a watchlist and an article text. The input is "<watchlist YAML>\0<text>"; without a NUL
// byte the whole input is the text, matched against the shipped eastern-flank watchlist (compiled
// once). Checks: offsets lie inside their field and, for valid UTF-8 articles, on character
// boundaries; snippets are valid UTF-8; the per-article match cap holds and is reported; a rule that fired
// names a severity.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "fuzz_support.hpp"
#include "match/matcher.hpp"
#include "match/watchlist.hpp"

#ifndef NEWSWATCH_SOURCE_DIR
#error "NEWSWATCH_SOURCE_DIR must name the source tree (for the shipped watchlist)"
#endif

using namespace newswatch;

namespace {

constexpr std::size_t kMaxMatches = 64;  // small, so that the fuzzer reaches the cap

MatcherOptions options() {
  MatcherOptions result;
  result.max_matches_per_article = kMaxMatches;
  return result;
}

std::shared_ptr<const Matcher> shipped_matcher() {
  static const std::shared_ptr<const Matcher> matcher = [] {
    auto loaded = load_matcher({NEWSWATCH_SOURCE_DIR "/config/watchlists/eastern-flank.yaml"}, options());
    fuzz::require(loaded.ok(), "the shipped watchlist compiles");
    return *loaded;
  }();
  return matcher;
}

bool on_boundary(std::string_view text, std::size_t offset) {
  return offset == text.size() || (static_cast<unsigned char>(text[offset]) & 0xC0) != 0x80;
}

std::string_view field_of(const Article& article, MatchField field) {
  switch (field) {
    case MatchField::title:
      return article.title;
    case MatchField::summary:
      return article.summary;
    case MatchField::content:
      return article.content;
    case MatchField::text:
      break;
  }
  fuzz::broken_promise("match() reports only title, summary and content", to_string(field));
}

void check(const Matcher& matcher, std::string_view raw_text) {
  // Any bytes at all: match_text must stay inside them (a stray byte counts as one character).
  for (const TextHit& hit : matcher.match_text(raw_text)) {
    fuzz::require(hit.start < hit.end && hit.end <= raw_text.size(), "a text hit lies inside the text");
  }
  // Articles are valid UTF-8 (the parser promises it), so their matches must fall on characters.
  const std::string text = sanitize_utf8(raw_text);
  // Title: the first line; summary: the whole text; content: the rest after the first line.
  Article article;
  const std::size_t line_end = text.find('\n');
  article.title = text.substr(0, line_end);
  article.summary = text;
  if (line_end != std::string::npos) article.content = text.substr(line_end + 1);

  const MatchResult result = matcher.match(article);
  fuzz::require(result.matches.size() <= kMaxMatches, "the match cap holds");
  fuzz::require(result.truncated == (result.total_matches > result.matches.size()), "truncation is reported");
  fuzz::require(result.rules.empty() != result.severity.has_value(), "a fired rule gives a severity");
  for (const Match& match : result.matches) {
    const std::string_view field = field_of(article, match.field);
    fuzz::require(match.start < match.end && match.end <= field.size(), "a match lies inside its field");
    fuzz::require(on_boundary(field, match.start) && on_boundary(field, match.end),
                  "a match starts and ends on character boundaries");
    fuzz::require_utf8(match.snippet, "snippets are valid UTF-8");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const fuzz::Split input = fuzz::split_once(fuzz::as_text(data, size), std::string_view("\0", 1));
  if (!input.found) {
    check(*shipped_matcher(), input.rest);
    return 0;
  }
  if (input.head.size() > 16384) return 0;
  auto watchlist = parse_watchlist(input.head, "fuzz.yaml");
  if (!watchlist) return 0;
  auto matcher = Matcher::compile({std::move(*watchlist)}, options());
  if (!matcher) return 0;
  check(**matcher, input.rest);
  return 0;
}
