#pragma once
// `newswatchd import-dictionary`: TABARI/PETRARCH actor dictionaries (.actors files) to a watchlist.
//
// The .actors format, as the Phoenix dictionaries use it:
//   AFGHANISTAN_  [AFG]                 an actor: a phrase, then its codes (here or on following lines)
//   +AFGHAN_NATIONAL_ARMY # note        a synonym of the actor above
//   	[AFGGOV 331108-730717]            a code line (a role, possibly dated) of the actor above
//   # comment                           ignored, as is everything after '#' on any line
// In phrases '_' stands for a space. TABARI reads a last word without a trailing '_' as a stem; the
// import does not (it would turn "US" into "US*" and match "use"): every term is whole words.
// Codes are roles, not names: the watchlist format has no key for them, so the first code of each
// actor is kept in a YAML comment. An actor whose first code is the null code [---] is a TABARI
// discard and is left out.
//
// Aliases are deduplicated after normalisation (case, marks, runs of separators), within an actor;
// actors with the same normalised name are merged into the first. Terms the term engine rejects are
// skipped with a warning naming file:line. Pure functions apart from run_import_dictionary_command.
#include <string>
#include <vector>

namespace newswatch {

struct DictionarySource {
  std::string file;  // names the source in warnings and in the output's header comment
  std::string text;
};

struct ImportedActor {
  std::string name;
  std::vector<std::string> aliases;  // normalised-distinct from the name and each other
  std::string code;                  // the first code as written, e.g. "AFGGOV 331108-730717"; may be empty
  std::string file;
  int line = 0;  // where the actor's phrase is
};

struct DictionaryImport {
  std::vector<ImportedActor> actors;  // in file order
  std::vector<std::string> warnings;  // "file:line: skipped ...", in file order
  std::size_t term_count() const;     // names + aliases
};

DictionaryImport import_actor_dictionaries(const std::vector<DictionarySource>& sources);

// The watchlist YAML (see match/watchlist.hpp): a header comment naming the sources, then `actors:`.
// No `name:`: a watchlist is named after its file's stem. No rules: any match alerts, severity low.
std::string to_watchlist_yaml(const std::vector<ImportedActor>& actors,
                              const std::vector<std::string>& source_files);

// newswatchd import-dictionary FILE... [--output FILE]: writes the watchlist to FILE or standard
// output, warnings to standard error. Exit code 0, or 1 when a file cannot be read or written.
int run_import_dictionary_command(const std::vector<std::string>& files, const std::string& output);

}  // namespace newswatch
