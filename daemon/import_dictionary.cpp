#include "import_dictionary.hpp"

#include <utf8proc.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "match/term_matcher.hpp"

namespace newswatch {
namespace {

std::string trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return "";
  const auto last = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(first, last - first + 1));
}

// "AFGHAN_NATIONAL_ARMY_ " -> "AFGHAN NATIONAL ARMY"; doubled '_' collapse to one space.
std::string phrase_to_term(std::string_view phrase) {
  std::string term;
  for (char c : phrase) {
    const char out = (c == '_' || c == '\t') ? ' ' : c;
    if (out == ' ' && (term.empty() || term.back() == ' ')) continue;
    term.push_back(out);
  }
  while (!term.empty() && term.back() == ' ') term.pop_back();
  return term;
}

// The key two terms share when the term engine would treat them alike: NFKD, marks dropped, case
// folded, runs of separators (white space, '-', U+2010..U+2015) as one space. Invalid UTF-8 keeps its
// bytes; the engine rejects such a term anyway.
std::string dedupe_key(const std::string& term) {
  utf8proc_uint8_t* mapped = nullptr;
  const auto options = static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE |
                                                      UTF8PROC_STRIPMARK | UTF8PROC_CASEFOLD);
  const auto length = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(term.data()),
                                   static_cast<utf8proc_ssize_t>(term.size()), &mapped, options);
  std::string folded =
      length >= 0 ? std::string(reinterpret_cast<char*>(mapped), static_cast<std::size_t>(length)) : term;
  std::free(mapped);
  std::string key;
  for (std::size_t i = 0; i < folded.size(); ++i) {
    const auto byte = static_cast<unsigned char>(folded[i]);
    bool separator = byte == ' ' || byte == '\t' || byte == '-';
    if (byte == 0xE2 && i + 2 < folded.size() && static_cast<unsigned char>(folded[i + 1]) == 0x80 &&
        static_cast<unsigned char>(folded[i + 2]) >= 0x90 &&
        static_cast<unsigned char>(folded[i + 2]) <= 0x95) {
      separator = true;
      i += 2;
    }
    if (separator) {
      if (!key.empty() && key.back() != ' ') key.push_back(' ');
    } else {
      key.push_back(folded[i]);
    }
  }
  while (!key.empty() && key.back() == ' ') key.pop_back();
  return key;
}

struct RawTerm {
  std::string text;
  int line = 0;
};

struct RawActor {
  RawTerm name;
  std::vector<RawTerm> synonyms;
  std::string first_code;
  bool has_code = false;
};

// The text before a '#' comment.
std::string_view strip_comment(std::string_view line) { return line.substr(0, line.find('#')); }

// Reads the first "[...]" of `text` into actor's code unless it already has one.
void take_first_code(std::string_view text, RawActor& actor) {
  if (actor.has_code) return;
  const auto open = text.find('[');
  if (open == std::string_view::npos) return;
  const auto close = text.find(']', open);
  actor.first_code = trim(text.substr(open + 1, close == std::string_view::npos ? close : close - open - 1));
  actor.has_code = true;
}

std::vector<RawActor> read_actors(const std::string& text) {
  std::vector<RawActor> actors;
  std::istringstream lines(text);
  std::string line;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    const std::string_view content = strip_comment(line);
    if (trim(content).empty()) continue;
    const char first = content.front();
    if (first == ' ' || first == '\t' || first == '[') {  // a code line of the current actor
      if (!actors.empty()) take_first_code(content, actors.back());
      continue;
    }
    const std::string_view phrase = content.substr(0, content.find('['));
    if (first == '+') {
      if (actors.empty()) continue;  // a synonym before any actor names nothing
      actors.back().synonyms.push_back({phrase_to_term(phrase.substr(1)), number});
      take_first_code(content, actors.back());
      continue;
    }
    RawActor actor;
    actor.name = {phrase_to_term(phrase), number};
    take_first_code(content, actor);
    actors.push_back(std::move(actor));
  }
  return actors;
}

// Indices (into `terms`) of the terms the engine rejects, with its reasons.
std::unordered_map<std::size_t, std::string> rejected_terms(const std::vector<TermSpec>& terms) {
  std::unordered_map<std::size_t, std::string> rejected;
  const auto compiled = TermMatcher::compile(terms);
  if (!compiled) {
    for (const auto& error : compiled.error()) rejected.emplace(error.term, error.message);
  }
  return rejected;
}

class Importer {
 public:
  void add(const DictionarySource& source) {
    const std::vector<RawActor> raw = read_actors(source.text);
    std::vector<TermSpec> specs;
    for (const auto& actor : raw) {
      specs.push_back({actor.name.text, false});
      for (const auto& synonym : actor.synonyms) specs.push_back({synonym.text, false});
    }
    const auto rejected = rejected_terms(specs);
    std::size_t index = 0;
    for (const auto& actor : raw) {
      std::vector<RawTerm> terms;
      for (std::size_t k = 0; k <= actor.synonyms.size(); ++k, ++index) {
        const RawTerm& term = k == 0 ? actor.name : actor.synonyms[k - 1];
        if (const auto it = rejected.find(index); it != rejected.end()) {
          warn(source.file, term.line, "skipped term '" + term.text + "': " + it->second);
        } else {
          terms.push_back(term);
        }
      }
      if (actor.has_code && actor.first_code == "---") continue;  // a TABARI discard
      if (terms.empty()) {
        warn(source.file, actor.name.line, "skipped actor '" + actor.name.text + "': no valid term");
        continue;
      }
      add_actor(source.file, actor, terms);
    }
  }

  DictionaryImport take() { return std::move(result_); }

 private:
  void warn(const std::string& file, int line, const std::string& message) {
    result_.warnings.push_back(file + ":" + std::to_string(line) + ": " + message);
  }

  void add_actor(const std::string& file, const RawActor& raw, const std::vector<RawTerm>& terms) {
    const std::string name_key = dedupe_key(terms.front().text);
    auto [slot, inserted] = actor_by_key_.emplace(name_key, result_.actors.size());
    if (inserted) {
      ImportedActor actor;
      actor.name = terms.front().text;
      actor.code = raw.first_code;
      actor.file = file;
      actor.line = terms.front().line;
      result_.actors.push_back(std::move(actor));
      term_keys_.emplace_back();
      term_keys_.back().insert(name_key);
    }
    ImportedActor& actor = result_.actors[slot->second];
    auto& keys = term_keys_[slot->second];
    for (std::size_t k = 1; k < terms.size(); ++k) {
      if (keys.insert(dedupe_key(terms[k].text)).second) actor.aliases.push_back(terms[k].text);
    }
  }

  DictionaryImport result_;
  std::unordered_map<std::string, std::size_t> actor_by_key_;
  std::vector<std::unordered_set<std::string>> term_keys_;  // per actor: the keys of its terms
};

// A YAML double-quoted scalar (JSON's escapes are a subset of YAML's).
std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (byte < 0x20 || byte == 0x7F) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02X", byte);
      out += escaped;
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

}  // namespace

std::size_t DictionaryImport::term_count() const {
  std::size_t count = 0;
  for (const auto& actor : actors) count += 1 + actor.aliases.size();
  return count;
}

DictionaryImport import_actor_dictionaries(const std::vector<DictionarySource>& sources) {
  Importer importer;
  for (const auto& source : sources) importer.add(source);
  return importer.take();
}

std::string to_watchlist_yaml(const std::vector<ImportedActor>& actors,
                              const std::vector<std::string>& source_files) {
  std::ostringstream out;
  out << "# Imported by `newswatchd import-dictionary` from TABARI/PETRARCH actor dictionaries:\n";
  for (const auto& file : source_files) out << "#   " << file << "\n";
  out << "# Each actor's first code (a CAMEO role, possibly dated) is kept as a comment: the watchlist\n"
         "# format has no key for it. No rules: any match alerts, severity low.\n"
         "actors:\n";
  for (const auto& actor : actors) {
    out << "  - name: " << quoted(actor.name);
    if (!actor.code.empty()) out << "  # [" << actor.code << "]";
    out << "\n";
    if (actor.aliases.empty()) continue;
    out << "    aliases:\n";
    for (const auto& alias : actor.aliases) out << "      - " << quoted(alias) << "\n";
  }
  return out.str();
}

int run_import_dictionary_command(const std::vector<std::string>& files, const std::string& output) {
  std::vector<DictionarySource> sources;
  for (const auto& file : files) {
    auto text = read_file(file);
    if (!text) {
      std::cerr << file << ": cannot read the file\n";
      return 1;
    }
    sources.push_back({file, std::move(*text)});
  }
  const DictionaryImport imported = import_actor_dictionaries(sources);
  for (const auto& warning : imported.warnings) std::cerr << warning << " (warning)\n";
  const std::string yaml = to_watchlist_yaml(imported.actors, files);
  if (output.empty() || output == "-") {
    std::cout << yaml;
    std::cout.flush();
  } else {
    std::ofstream out(output, std::ios::binary | std::ios::trunc);
    out << yaml;
    out.close();
    if (!out) {
      std::cerr << output << ": cannot write the file\n";
      return 1;
    }
  }
  std::cerr << "import-dictionary: " << imported.actors.size() << " actors, " << imported.term_count()
            << " terms, " << imported.warnings.size() << " skipped\n";
  return 0;
}

}  // namespace newswatch
