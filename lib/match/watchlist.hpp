#pragma once
// Watchlist files: what to watch for (actors, keyword groups) and when to alert (rules), read from
// YAML into plain values. Loading checks everything a single file can get wrong and returns every
// problem with its position; what needs all files at once (unique names, references between files,
// term validity) is checked by Matcher::compile (match/matcher.hpp).
//
//   name: eastern-flank            # optional; default: the file's stem
//   description: ...               # optional, free text
//   actors:
//     - name: NATO                 # the name is a term too
//       aliases: [North Atlantic Treaty Organization, {text: US, match_case: true}]
//     - Romania                    # an actor with no aliases may be a plain string
//   keywords:
//     troop_movement: [troop*, military presence, {group: invasion}]   # {group: g}: g's matches count too
//   rules:
//     - name: actor-near-troop-movement
//       require: [actors, troop_movement]      # each entry must be satisfied within the window
//       require_rule: troop-movement           # optional: rule(s) that must fire within the window
//       within: sentence                       # sentence | paragraph | article (default) | "N words"
//       severity: high                         # high | medium | low (default)
//
// A `require` entry is "actors" (any actor of this watchlist), an actor's or a group's name,
// {any: [entries...]} (any one of them), or {rule: name}. A watchlist without rules alerts on any
// match, severity low, through an implicit rule named "any-match (<watchlist name>)". A match is
// reported under the group whose term matched; in rules, a group stands for itself and all it includes.
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "match/rules.hpp"
#include "match/term_matcher.hpp"

namespace newswatch {

// A problem in a watchlist file, with its 1-based position (0 when it has none, e.g. a missing file).
struct WatchlistError {
  std::string file;
  int line = 0;
  int column = 0;
  std::string message;

  // "file:line:column: message", or "file: message" without a position.
  std::string to_string() const;
};

struct WatchlistTerm {
  TermSpec spec;  // spec.text as written in the watchlist (the `text` of a map)
  int line = 0;
  int column = 0;
};

struct WatchedActor {
  std::string name;
  std::vector<WatchlistTerm> terms;  // the name first, then the aliases
  int line = 0;
  int column = 0;
};

// A group included in another: its matches count for the including group in rules.
struct GroupInclude {
  std::string name;
  int line = 0;
  int column = 0;
};

struct KeywordGroup {
  std::string name;
  std::vector<WatchlistTerm> terms;
  std::vector<GroupInclude> includes;  // written {group: name} among the terms
  int line = 0;
  int column = 0;
};

struct Watchlist {
  std::string name;
  std::string file;     // as given to the loader
  std::string version;  // hex SHA-256 of the file's bytes
  std::vector<WatchedActor> actors;
  std::vector<KeywordGroup> keyword_groups;  // in file order
  std::vector<RuleDefinition> rules;         // in file order; empty: alert on any match (low)
};

// Bounds on one watchlist file, so that a mistaken or hostile file (a dictionary imported whole, a
// generated list gone wrong) cannot make the daemon compile and hold without limit. The default is
// about four times the PETRARCH actor dictionaries (~52,000 terms).
struct WatchlistLimits {
  std::size_t max_terms = 200000;  // actor names, aliases and keyword terms, counted as written
  // A larger file is refused before it is read: 200,000 terms of ~30 bytes need a tenth of this, and
  // a mistaken path (a log, /dev/zero) must not be read into memory whole.
  std::size_t max_file_bytes = std::size_t{64} << 20;
};

// Parses one watchlist from YAML text; `file` names it in errors, and its stem is the default name.
// More terms than limits.max_terms is an error at the first term past the limit.
Result<Watchlist, std::vector<WatchlistError>> parse_watchlist(std::string_view yaml, const std::string& file,
                                                               const WatchlistLimits& limits = {});

// Reads and parses one watchlist file.
Result<Watchlist, std::vector<WatchlistError>> load_watchlist(const std::filesystem::path& path,
                                                              const WatchlistLimits& limits = {});

}  // namespace newswatch
