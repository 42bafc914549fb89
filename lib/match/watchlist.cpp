#include "match/watchlist.hpp"

#include <yaml-cpp/yaml.h>

#include <cstring>
#include <initializer_list>
#include <sstream>

#include "common/bounded_read.hpp"
#include "common/sha256.hpp"
#include "match/detail/simple_yaml.hpp"

namespace newswatch {

std::string WatchlistError::to_string() const {
  if (line <= 0) return file + ": " + message;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

namespace {

bool decode_bool(const YAML::Node& node, bool& value) { return YAML::convert<bool>::decode(node, value); }
bool decode_bool(const match_detail::SimpleYamlNode& node, bool& value) {
  return match_detail::decode_yaml_bool(node, value);
}

// Collects every problem of one file; each check reports and carries on so the user sees them all.
template <typename Node>
class Parser {
 public:
  Parser(std::string file, const WatchlistLimits& limits) : file_(std::move(file)), limits_(limits) {}

  std::vector<WatchlistError>& errors() { return errors_; }

  void fail(const Node& at, std::string message) { fail_at(at.Mark(), std::move(message)); }
  template <typename Mark>
  void fail_at(const Mark& mark, std::string message) {
    if (mark.is_null()) {
      errors_.push_back({file_, 0, 0, std::move(message)});
    } else {
      errors_.push_back({file_, mark.line + 1, mark.column + 1, std::move(message)});
    }
  }

  void parse_document(const Node& root, Watchlist& out) {
    if (!root.IsMap()) {
      fail(root, "a watchlist is a map with the keys name, description, actors, keywords, rules");
      return;
    }
    for (const auto& entry : root) {
      const std::string key = entry.first.Scalar();
      const Node& value = entry.second;
      if (key == "name") {
        if (auto name = non_empty_string(value, "name")) out.name = *name;
      } else if (key == "description") {
        non_empty_string(value, "description");
      } else if (key == "actors") {
        parse_actors(value, out.actors);
      } else if (key == "keywords") {
        parse_keywords(value, out.keyword_groups);
      } else if (key == "rules") {
        parse_rules(value, out.rules);
      } else {
        fail(entry.first, "unknown key '" + key + "' (expected name, description, actors, keywords, rules)");
      }
    }
    if (out.actors.empty() && out.keyword_groups.empty() && out.rules.empty()) {
      fail(root, "a watchlist needs actors, keywords or rules");
    }
  }

 private:
  std::optional<std::string> non_empty_string(const Node& node, const std::string& what) {
    if (!node.IsScalar() || node.Scalar().empty()) {
      fail(node, what + " must be a non-empty string");
      return std::nullopt;
    }
    return node.Scalar();
  }

  void check_keys(const Node& map, std::initializer_list<std::string_view> known, const std::string& what) {
    for (const auto& entry : map) {
      const std::string key = entry.first.Scalar();
      bool found = false;
      for (std::string_view k : known) found = found || k == key;
      if (found) continue;
      std::string expected;
      for (std::string_view k : known) expected += (expected.empty() ? "" : ", ") + std::string(k);
      fail(entry.first, "unknown key '" + key + "' in " + what + " (expected " + expected + ")");
    }
  }

  std::optional<bool> boolean(const Node& node, const std::string& what) {
    bool value = false;
    if (!node.IsScalar() || !decode_bool(node, value)) {
      fail(node, what + " must be true or false");
      return std::nullopt;
    }
    return value;
  }

  // A term: "text" or {text: ..., match_case: true}.
  std::optional<WatchlistTerm> parse_term(const Node& node) {
    WatchlistTerm term;
    term.line = node.Mark().line + 1;
    term.column = node.Mark().column + 1;
    if (node.IsScalar()) {
      term.spec.text = node.Scalar();
      return term;
    }
    if (!node.IsMap()) {
      fail(
          node,
          "a term is a string or a map with the keys text, match_case (or {group: name} in a keyword group)");
      return std::nullopt;
    }
    check_keys(node, {"text", "match_case"}, "a term");
    const Node text = node["text"];
    if (!text) {
      fail(node, "a term written as a map needs 'text'");
      return std::nullopt;
    }
    if (!text.IsScalar()) {
      fail(text, "a term's text must be a string");
      return std::nullopt;
    }
    term.spec.text = text.Scalar();
    if (const Node match_case = node["match_case"])
      term.spec.match_case = boolean(match_case, "match_case").value_or(false);
    return term;
  }

  void parse_terms(const Node& node, const std::string& owner, std::vector<WatchlistTerm>& out,
                   std::vector<GroupInclude>* includes = nullptr) {
    if (!node.IsSequence()) {
      fail(node, "the terms of " + owner + " must be a list");
      return;
    }
    for (const auto& item : node) {
      if (includes && item.IsMap() && item.size() == 1 && item["group"]) {
        if (const auto name = non_empty_string(item["group"], "group")) {
          includes->push_back({*name, item.Mark().line + 1, item.Mark().column + 1});
        }
        continue;
      }
      if (!admit_term(item)) return;
      if (auto term = parse_term(item)) out.push_back(std::move(*term));
    }
  }

  void parse_actors(const Node& node, std::vector<WatchedActor>& out) {
    if (!node.IsSequence()) {
      fail(node, "actors must be a list");
      return;
    }
    for (const auto& item : node) {
      if (!admit_term(item)) return;  // the actor's name
      WatchedActor actor;
      actor.line = item.Mark().line + 1;
      actor.column = item.Mark().column + 1;
      if (item.IsScalar()) {
        actor.name = item.Scalar();
        actor.terms.push_back({TermSpec{actor.name, false}, actor.line, actor.column});
      } else if (item.IsMap()) {
        check_keys(item, {"name", "aliases", "match_case", "description"}, "an actor");
        const Node name = item["name"];
        if (!name) {
          fail(item, "an actor needs a name");
          continue;
        }
        const auto text = non_empty_string(name, "an actor's name");
        if (!text) continue;
        actor.name = *text;
        WatchlistTerm name_term{TermSpec{actor.name, false}, name.Mark().line + 1, name.Mark().column + 1};
        if (const Node match_case = item["match_case"]) {
          name_term.spec.match_case = boolean(match_case, "match_case").value_or(false);
        }
        actor.terms.push_back(std::move(name_term));
        if (const Node aliases = item["aliases"])
          parse_terms(aliases, "actor '" + actor.name + "'", actor.terms);
        if (const Node description = item["description"]) non_empty_string(description, "description");
      } else {
        fail(item, "an actor is a name or a map with the keys name, aliases, match_case, description");
        continue;
      }
      if (actor.name.empty()) {
        fail(item, "an actor's name must be a non-empty string");
        continue;
      }
      out.push_back(std::move(actor));
    }
  }

  void parse_keywords(const Node& node, std::vector<KeywordGroup>& out) {
    if (!node.IsMap()) {
      fail(node, "keywords must be a map from group name to a list of terms");
      return;
    }
    for (const auto& entry : node) {
      KeywordGroup group;
      group.name = entry.first.Scalar();
      group.line = entry.first.Mark().line + 1;
      group.column = entry.first.Mark().column + 1;
      if (group.name.empty()) {
        fail(entry.first, "a keyword group's name must be a non-empty string");
        continue;
      }
      parse_terms(entry.second, "keyword group '" + group.name + "'", group.terms, &group.includes);
      out.push_back(std::move(group));
    }
  }

  std::optional<RuleReference> parse_reference(const Node& node, bool allow_any) {
    RuleReference reference;
    reference.line = node.Mark().line + 1;
    reference.column = node.Mark().column + 1;
    if (node.IsScalar() && !node.Scalar().empty()) {
      reference.name = node.Scalar();
      reference.kind =
          reference.name == "actors" ? RuleReference::Kind::any_actor : RuleReference::Kind::name;
      return reference;
    }
    if (node.IsMap() && node.size() == 1 && node["rule"]) {
      const auto name = non_empty_string(node["rule"], "rule");
      if (!name) return std::nullopt;
      reference.kind = RuleReference::Kind::rule;
      reference.name = *name;
      return reference;
    }
    if (allow_any && node.IsMap() && node.size() == 1 && node["any"])
      return std::nullopt;  // handled by caller
    fail(node, allow_any
                   ? "a requirement is 'actors', an actor or keyword group name, {any: [...]} or {rule: name}"
                   : "an alternative is 'actors', an actor or keyword group name, or {rule: name}");
    return std::nullopt;
  }

  void parse_requirement(const Node& node, std::vector<Requirement>& out) {
    if (node.IsMap() && node.size() == 1 && node["any"]) {
      const Node alternatives = node["any"];
      if (!alternatives.IsSequence() || alternatives.size() == 0) {
        fail(alternatives, "'any' must be a non-empty list");
        return;
      }
      Requirement requirement;
      for (const auto& alternative : alternatives) {
        if (auto reference = parse_reference(alternative, false))
          requirement.any_of.push_back(std::move(*reference));
      }
      if (requirement.any_of.size() == alternatives.size()) out.push_back(std::move(requirement));
      return;
    }
    if (auto reference = parse_reference(node, true)) out.push_back(Requirement{{std::move(*reference)}});
  }

  void parse_rule(const Node& node, std::vector<RuleDefinition>& out) {
    if (!node.IsMap()) {
      fail(node, "a rule is a map with the keys name, require, require_rule, within, severity, description");
      return;
    }
    check_keys(node, {"name", "require", "require_rule", "within", "severity", "description"}, "a rule");
    RuleDefinition rule;
    rule.line = node.Mark().line + 1;
    rule.column = node.Mark().column + 1;
    bool valid = true;
    if (const Node name = node["name"]) {
      const auto text = non_empty_string(name, "a rule's name");
      valid = valid && text;
      rule.name = text.value_or("");
    } else {
      fail(node, "a rule needs a name");
      valid = false;
    }
    const std::size_t errors_before = errors_.size();
    if (const Node require = node["require"]) {
      if (require.IsSequence()) {
        for (const auto& item : require) parse_requirement(item, rule.requirements);
      } else {
        parse_requirement(require, rule.requirements);
      }
    }
    if (const Node require_rule = node["require_rule"]) {
      auto add_rule_requirement = [&](const Node& item) {
        if (const auto name = non_empty_string(item, "require_rule")) {
          rule.requirements.push_back(Requirement{{RuleReference{
              RuleReference::Kind::rule, *name, item.Mark().line + 1, item.Mark().column + 1}}});
        }
      };
      if (require_rule.IsSequence()) {
        for (const auto& item : require_rule) add_rule_requirement(item);
      } else {
        add_rule_requirement(require_rule);
      }
    }
    valid = valid && errors_.size() == errors_before;
    if (valid && rule.requirements.empty()) {
      fail(node, "rule '" + rule.name + "' requires nothing: give it 'require' or 'require_rule'");
      valid = false;
    }
    if (const Node within = node["within"]) {
      const auto window = within.IsScalar() ? parse_window(within.Scalar()) : std::nullopt;
      if (!window) {
        fail(within, "bad window '" + (within.IsScalar() ? within.Scalar() : std::string("?")) +
                         "' (expected sentence, paragraph, article or \"N words\")");
        valid = false;
      }
      rule.within = window.value_or(RuleWindow{});
    }
    if (const Node severity = node["severity"]) {
      const auto level = severity.IsScalar() ? parse_severity(severity.Scalar()) : std::nullopt;
      if (!level) {
        fail(severity, "bad severity '" + (severity.IsScalar() ? severity.Scalar() : std::string("?")) +
                           "' (expected high, medium or low)");
        valid = false;
      }
      rule.severity = level.value_or(Severity::low);
    }
    if (valid) out.push_back(std::move(rule));
  }

  void parse_rules(const Node& node, std::vector<RuleDefinition>& out) {
    if (!node.IsSequence()) {
      fail(node, "rules must be a list");
      return;
    }
    for (const auto& item : node) parse_rule(item, out);
  }

  // Counts one more term; false (with one error for the whole file) once past the limit.
  bool admit_term(const Node& at) {
    if (++term_count_ <= limits_.max_terms) return true;
    if (term_count_ == limits_.max_terms + 1) {
      fail(at, "too many terms: the limit is " + std::to_string(limits_.max_terms) +
                   " per watchlist (split the file, or raise the limit)");
    }
    return false;
  }

  std::string file_;
  WatchlistLimits limits_;
  std::size_t term_count_ = 0;
  std::vector<WatchlistError> errors_;
};

}  // namespace

Result<Watchlist, std::vector<WatchlistError>> parse_watchlist(std::string_view yaml, const std::string& file,
                                                               const WatchlistLimits& limits) {
  Watchlist watchlist;
  watchlist.file = file;
  watchlist.version = sha256_hex(yaml);
  watchlist.name = std::filesystem::path(file).stem().string();
  // Most watchlists are plain YAML that the fast reader gives the same tree for; anything else is
  // yaml-cpp's.
  if (const auto document = match_detail::SimpleYamlDocument::parse(yaml)) {
    Parser<match_detail::SimpleYamlNode> parser(file, limits);
    parser.parse_document(document->root(), watchlist);
    if (!parser.errors().empty()) return std::move(parser.errors());
    return watchlist;
  }
  Parser<YAML::Node> parser(file, limits);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& error) {
    parser.fail_at(error.mark, error.msg);
    return std::move(parser.errors());
  }
  parser.parse_document(root, watchlist);
  if (!parser.errors().empty()) return std::move(parser.errors());
  return watchlist;
}

Result<Watchlist, std::vector<WatchlistError>> load_watchlist(const std::filesystem::path& path,
                                                              const WatchlistLimits& limits) {
  const FileBytes file = read_file_at_most(path, limits.max_file_bytes);
  if (file.problem == FileBytes::Problem::too_large) {
    return std::vector<WatchlistError>{
        {path.string(), 0, 0,
         "the file is larger than the limit of " + std::to_string(limits.max_file_bytes) + " bytes"}};
  }
  if (!file) {
    return std::vector<WatchlistError>{
        {path.string(), 0, 0, "cannot read the watchlist file: " + std::string(std::strerror(file.error))}};
  }
  return parse_watchlist(file.bytes, path.string(), limits);
}

}  // namespace newswatch
