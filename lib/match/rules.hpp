#pragma once
// Rules: when an article alerts and how loudly. A rule fires when one window of the article (a
// sentence, a paragraph, a span of N words, or the whole article) holds evidence for every one of its
// requirements; a requirement is satisfied by a match of any of its alternatives: a watched actor, a
// keyword group, or another rule that fired inside that window.
//
// This header has the rule definitions as the watchlist loader writes them, and the compiled form the
// matcher evaluates. Everything here is plain values; evaluation is a pure function.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "match/text_windows.hpp"

namespace newswatch {

enum class Severity { low = 0, medium = 1, high = 2 };

const char* to_string(Severity severity);
std::optional<Severity> parse_severity(std::string_view text);  // "low" | "medium" | "high"

struct RuleWindow {
  enum class Kind { article, paragraph, sentence, words };
  Kind kind = Kind::article;
  std::size_t words = 0;  // for Kind::words: all required matches lie within this many words

  friend bool operator==(const RuleWindow&, const RuleWindow&) = default;
};

// "article" | "paragraph" | "sentence" | "N words" (N >= 1; "1 word" too).
std::optional<RuleWindow> parse_window(std::string_view text);
std::string to_string(const RuleWindow& window);

// One alternative of a requirement, as written in the watchlist.
struct RuleReference {
  enum class Kind {
    any_actor,  // the word "actors": any actor of the rule's own watchlist
    name,       // an actor's name or a keyword group's name (unique across all loaded watchlists)
    rule,       // another rule (by name) that fired within the window
  };
  Kind kind = Kind::name;
  std::string name;
  int line = 0;  // 1-based position in the watchlist file
  int column = 0;
};

// Satisfied by evidence for any one of its alternatives.
struct Requirement {
  std::vector<RuleReference> any_of;
};

struct RuleDefinition {
  std::string name;
  std::vector<Requirement> requirements;  // all must be satisfied within one window
  RuleWindow within;
  Severity severity = Severity::low;
  int line = 0;
  int column = 0;
};

// ---- The compiled form, built by the matcher ----

// A requirement resolved to match classes (one per actor and per keyword group, numbered across all
// watchlists) and to earlier rules (indexes into the evaluation order).
struct CompiledRequirement {
  std::vector<std::uint32_t> classes;  // sorted
  std::vector<std::uint32_t> rules;
};

// Rules are listed so that each comes after every rule it requires.
struct CompiledRule {
  std::string name;
  Severity severity = Severity::low;
  RuleWindow within;
  std::vector<CompiledRequirement> requirements;
};

// One field of the article as the rules see it: the windows cut from its plain text. Each kind of
// window is cut on first use, because most articles need none (no rule has evidence in the field, or
// every rule's window is the article) and cutting all of them cost more than matching the terms.
// Holds a view of the text; not thread-safe (one per article being matched).
class FieldWindows {
 public:
  // single_sentence: the field (a title) is one sentence and one paragraph whatever it holds.
  explicit FieldWindows(std::string_view text, bool single_sentence = false)
      : text_(text), single_sentence_(single_sentence) {}

  const std::vector<TextSpan>& sentences() const;
  const std::vector<TextSpan>& paragraphs() const;
  const WordIndex& words() const;

 private:
  std::string_view text_;
  bool single_sentence_;
  mutable std::optional<std::vector<TextSpan>> sentences_;
  mutable std::optional<std::vector<TextSpan>> paragraphs_;
  mutable std::optional<WordIndex> words_;
};

// A term match reduced to what the rules need.
struct ClassHit {
  std::uint32_t match_class;
  std::uint32_t field;  // index into the FieldWindows list
  std::size_t start;
  std::size_t end;
};

// Which rules fire (true at each rule's index), given every hit of the article.
std::vector<bool> evaluate_rules(const std::vector<CompiledRule>& rules, const std::vector<ClassHit>& hits,
                                 const std::vector<FieldWindows>& fields);

}  // namespace newswatch
