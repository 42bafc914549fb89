#pragma once
// The match stage's public face: watchlists compiled into one immutable Matcher, and Article -> the
// matches, the rules that fired, the severity.
//
// Ownership and threads: compile() returns a shared_ptr<const Matcher>; the matcher never changes, so
// any number of threads may call match()/match_text() at once. Hot reload compiles a new one (on any
// thread) and swaps the pointer; articles being matched keep the old one alive.
//
// Typical use (daemon):
//   auto matcher = load_matcher({"config/watchlists/eastern-flank.yaml"});
//   if (!matcher) for (auto& e : matcher.error()) log(e.to_string());   // every problem, with position
//   MatchResult result = (*matcher)->match(article);
//   if (result.alerts()) ... build_alert(...) (alert/alert.hpp)
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "feed/article.hpp"
#include "match/rules.hpp"
#include "match/watchlist.hpp"

namespace newswatch {

enum class MatchKind { actor, keyword };
enum class MatchField { title, summary, content, text };  // text: match_text()'s input line

const char* to_string(MatchKind kind);
const char* to_string(MatchField field);

struct Match {
  MatchKind kind = MatchKind::actor;
  std::string name;  // the actor's name, or the keyword group's name
  std::string term;  // the term as written in the watchlist
  MatchField field = MatchField::content;
  std::size_t start = 0;  // byte offsets into that field of the Article
  std::size_t end = 0;
  std::string snippet;  // about MatcherOptions::snippet_chars around the match; valid UTF-8
};

struct MatchResult {
  std::vector<Match> matches;        // by field (title, summary, content), then start, end
  std::size_t total_matches = 0;     // before the cap
  bool truncated = false;            // total_matches > matches.size()
  std::vector<std::string> rules;    // names of the rules that fired, in watchlist order
  std::optional<Severity> severity;  // the highest of theirs; empty when no rule fired

  bool alerts() const { return !rules.empty(); }
};

// One hit of match_text(): no snippet, no field.
struct TextHit {
  MatchKind kind = MatchKind::actor;
  std::string name;
  std::string term;
  std::size_t start = 0;
  std::size_t end = 0;
};

struct MatcherOptions {
  // Matches kept per article (title first, then summary, content). Rules are evaluated on the kept
  // matches only, which bounds the work a hostile article can cause.
  std::size_t max_matches_per_article = 1000;
  std::size_t snippet_chars = 160;
  // Bounds on each watchlist file that load_matcher reads.
  WatchlistLimits watchlist_limits;
};

// What an alert says about a loaded watchlist.
struct WatchlistInfo {
  std::string name;
  std::string file;
  std::string version;  // hex SHA-256 of the file's bytes
};

class Matcher {
 public:
  // Compiles all terms of all watchlists into one TermMatcher plus the rule tables. Fails with every
  // problem: duplicate actor/group/rule names across watchlists, unknown names in rules, rules that
  // require each other in a cycle, invalid terms — each with its file and position.
  static Result<std::shared_ptr<const Matcher>, std::vector<WatchlistError>> compile(
      std::vector<Watchlist> watchlists, MatcherOptions options = {});

  virtual ~Matcher() = default;

  // Matches title, summary and content; windows never span two fields (except `within: article`).
  virtual MatchResult match(const Article& article) const = 0;

  // Every hit in one line of plain text (for `newswatchd match`), ordered by start, end.
  virtual std::vector<TextHit> match_text(std::string_view text) const = 0;

  virtual const std::vector<WatchlistInfo>& watchlists() const = 0;
  virtual std::size_t term_count() const = 0;
  virtual std::size_t rule_count() const = 0;
};

// Loads every file (collecting every file's problems) and compiles them together.
Result<std::shared_ptr<const Matcher>, std::vector<WatchlistError>> load_matcher(
    const std::vector<std::filesystem::path>& files, MatcherOptions options = {});

}  // namespace newswatch
