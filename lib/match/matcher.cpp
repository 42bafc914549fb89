#include "match/matcher.hpp"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "match/detail/serialize.hpp"

namespace newswatch {

const char* to_string(MatchKind kind) { return kind == MatchKind::actor ? "actor" : "keyword"; }

const char* to_string(MatchField field) {
  switch (field) {
    case MatchField::title:
      return "title";
    case MatchField::summary:
      return "summary";
    case MatchField::content:
      return "content";
    case MatchField::text:
      return "text";
  }
  return "text";
}

namespace {

// An actor or a keyword group: what a term match is evidence of.
struct MatchClass {
  MatchKind kind;
  std::string name;
  std::size_t watchlist;
  int line;
  int column;
};

struct TermOwner {
  std::uint32_t match_class;
  std::string text;  // as written
};

struct DeclaredRule {
  RuleDefinition definition;
  std::size_t watchlist;
};

// The names of a compiled matcher's classes and the texts of its terms, as written, in one string:
// restoring 10,399 terms from the cache as 17,800 strings of their own cost 9,200 allocations.
class TextPool {
 public:
  struct Span {
    std::uint32_t offset;
    std::uint32_t length;
  };
  Span add(std::string_view text) {
    const Span span{static_cast<std::uint32_t>(pool_.size()), static_cast<std::uint32_t>(text.size())};
    pool_.edit([&](std::vector<char>& pool) { pool.insert(pool.end(), text.begin(), text.end()); });
    return span;
  }
  std::string_view operator[](Span span) const {
    return std::string_view(pool_.data() + span.offset, span.length);
  }
  bool holds(Span span) const { return span.offset <= pool_.size() && span.length <= pool_.size() - span.offset; }

  void save(match_detail::ByteWriter& out) const { out.values(pool_); }
  void load(match_detail::ByteReader& in) { pool_ = in.table<char>(); }

 private:
  match_detail::Table<char> pool_;
};

class CompiledMatcher final : public Matcher {
 public:
  // Both halves trivially copyable, so that the cache stores and restores each table in one copy.
  struct Class {
    MatchKind kind;
    TextPool::Span name;
    std::uint32_t watchlist;
    int line;
    int column;
  };
  struct Term {
    std::uint32_t match_class;
    TextPool::Span text;
  };

  // `backing` keeps alive the bytes that restored tables look at (null when they hold their own).
  CompiledMatcher(TextPool texts, match_detail::Table<Class> classes, match_detail::Table<Term> terms,
                  std::shared_ptr<const TermMatcher> term_matcher, std::vector<CompiledRule> rules,
                  std::vector<std::uint32_t> declaration_order, std::vector<WatchlistInfo> watchlists,
                  MatcherOptions options, std::shared_ptr<const void> backing = nullptr)
      : backing_(std::move(backing)),
        texts_(std::move(texts)),
        classes_(std::move(classes)),
        terms_(std::move(terms)),
        term_matcher_(std::move(term_matcher)),
        rules_(std::move(rules)),
        declaration_order_(std::move(declaration_order)),
        watchlists_(std::move(watchlists)),
        options_(options) {}

  static std::shared_ptr<const Matcher> from_compiler(const std::vector<MatchClass>& classes,
                                                      const std::vector<TermOwner>& terms,
                                                      std::shared_ptr<const TermMatcher> term_matcher,
                                                      std::vector<CompiledRule> rules,
                                                      std::vector<std::uint32_t> declaration_order,
                                                      std::vector<WatchlistInfo> watchlists, MatcherOptions options) {
    TextPool texts;
    std::vector<Class> pooled_classes;
    pooled_classes.reserve(classes.size());
    for (const MatchClass& c : classes) {
      pooled_classes.push_back({c.kind, texts.add(c.name), static_cast<std::uint32_t>(c.watchlist), c.line, c.column});
    }
    std::vector<Term> pooled_terms;
    pooled_terms.reserve(terms.size());
    for (const TermOwner& t : terms) pooled_terms.push_back({t.match_class, texts.add(t.text)});
    return std::make_shared<CompiledMatcher>(std::move(texts), std::move(pooled_classes), std::move(pooled_terms),
                                             std::move(term_matcher), std::move(rules), std::move(declaration_order),
                                             std::move(watchlists), options);
  }

  MatchResult match(const Article& article) const override {
    const std::string_view texts[] = {article.title, article.summary, article.content};
    constexpr MatchField kFields[] = {MatchField::title, MatchField::summary, MatchField::content};
    MatchResult result;
    std::vector<ClassHit> class_hits;
    for (std::uint32_t f = 0; f < 3; ++f) {
      for (const TermHit& hit : term_matcher_->find_all(texts[f])) {
        ++result.total_matches;
        if (result.matches.size() >= options_.max_matches_per_article) continue;
        const Term& term = terms_[hit.term];
        const Class& match_class = classes_[term.match_class];
        result.matches.push_back(Match{match_class.kind, std::string(texts_[match_class.name]),
                                       std::string(texts_[term.text]), kFields[f], hit.start, hit.end,
                                       make_snippet(texts[f], hit.start, hit.end, options_.snippet_chars)});
        class_hits.push_back(ClassHit{term.match_class, f, hit.start, hit.end});
      }
    }
    result.truncated = result.total_matches > result.matches.size();
    if (class_hits.empty()) return result;
    const std::vector<FieldWindows> windows = {FieldWindows(texts[0], /*single_sentence=*/true),
                                               FieldWindows(texts[1]), FieldWindows(texts[2])};
    const std::vector<bool> fired = evaluate_rules(rules_, class_hits, windows);
    for (std::uint32_t index : declaration_order_) {
      if (!fired[index]) continue;
      result.rules.push_back(rules_[index].name);
      result.severity = std::max(result.severity.value_or(Severity::low), rules_[index].severity);
    }
    return result;
  }

  std::vector<TextHit> match_text(std::string_view text) const override {
    std::vector<TextHit> hits;
    for (const TermHit& hit : term_matcher_->find_all(text)) {
      const Term& term = terms_[hit.term];
      const Class& match_class = classes_[term.match_class];
      hits.push_back(TextHit{match_class.kind, std::string(texts_[match_class.name]), std::string(texts_[term.text]),
                             hit.start, hit.end});
    }
    return hits;
  }

  const std::vector<WatchlistInfo>& watchlists() const override { return watchlists_; }
  std::size_t term_count() const override { return terms_.size(); }
  std::size_t rule_count() const override { return rules_.size(); }

  void save(match_detail::ByteWriter& out) const {
    texts_.save(out);
    out.values(classes_);
    out.values(terms_);
    match_detail::save_term_matcher(*term_matcher_, out);
    out.size(rules_.size());
    for (const CompiledRule& rule : rules_) {
      out.text(rule.name);
      out.value(rule.severity);
      out.value(rule.within.kind);
      out.size(rule.within.words);
      out.size(rule.requirements.size());
      for (const CompiledRequirement& requirement : rule.requirements) {
        out.values(requirement.classes);
        out.values(requirement.rules);
      }
    }
    out.values(declaration_order_);
    out.size(watchlists_.size());
    for (const WatchlistInfo& info : watchlists_) {
      out.text(info.name);
      out.text(info.file);
      out.text(info.version);
    }
  }

  static std::shared_ptr<const Matcher> restore(match_detail::ByteReader& in, const MatcherOptions& options) {
    // Sizes are checked against the bytes left (at least one byte an element) before anything is
    // reserved; indexes against the tables they point into.
    TextPool texts;
    texts.load(in);
    auto classes = in.table<Class>();
    for (const Class& c : classes) {
      if (c.kind != MatchKind::actor && c.kind != MatchKind::keyword) in.fail();
      if (!texts.holds(c.name)) in.fail();
    }
    auto terms = in.table<Term>();
    for (const Term& t : terms) {
      if (t.match_class >= classes.size() || !texts.holds(t.text)) in.fail();
    }
    if (!in.ok()) return nullptr;
    auto term_matcher = match_detail::restore_term_matcher(in);
    if (!term_matcher || term_matcher->term_count() != terms.size()) return nullptr;
    std::vector<CompiledRule> rules(in.size(1));
    for (std::size_t r = 0; r < rules.size() && in.ok(); ++r) {
      CompiledRule& rule = rules[r];
      rule.name = in.text();
      rule.severity = in.value<Severity>();
      rule.within.kind = in.value<RuleWindow::Kind>();
      rule.within.words = in.size(0);
      if (rule.severity < Severity::low || rule.severity > Severity::high) in.fail();
      if (rule.within.kind < RuleWindow::Kind::article || rule.within.kind > RuleWindow::Kind::words) in.fail();
      rule.requirements.resize(in.size(1));
      for (CompiledRequirement& requirement : rule.requirements) {
        requirement.classes = in.values<std::uint32_t>();
        requirement.rules = in.values<std::uint32_t>();
        for (std::uint32_t c : requirement.classes) {
          if (c >= classes.size()) in.fail();
        }
        for (std::uint32_t earlier : requirement.rules) {
          if (earlier >= r) in.fail();  // each rule comes after the rules it requires
        }
      }
    }
    auto declaration_order = in.values<std::uint32_t>();
    if (declaration_order.size() != rules.size()) in.fail();
    for (std::uint32_t index : declaration_order) {
      if (index >= rules.size()) in.fail();
    }
    std::vector<WatchlistInfo> watchlists(in.size(1));
    for (WatchlistInfo& info : watchlists) {
      info.name = in.text();
      info.file = in.text();
      info.version = in.text();
    }
    if (!in.at_end()) return nullptr;
    return std::make_shared<CompiledMatcher>(std::move(texts), std::move(classes), std::move(terms),
                                             std::move(term_matcher), std::move(rules), std::move(declaration_order),
                                             std::move(watchlists), options, in.owner());
  }

 private:
  std::shared_ptr<const void> backing_;  // first, so that it goes last
  TextPool texts_;
  match_detail::Table<Class> classes_;
  match_detail::Table<Term> terms_;
  std::shared_ptr<const TermMatcher> term_matcher_;
  std::vector<CompiledRule> rules_;  // each after the rules it requires
  std::vector<std::uint32_t> declaration_order_;
  std::vector<WatchlistInfo> watchlists_;
  MatcherOptions options_;
};

// Builds the tables from the watchlists, collecting every problem on the way.
class Compiler {
 public:
  explicit Compiler(const std::vector<Watchlist>& watchlists) : watchlists_(watchlists) {}

  std::vector<WatchlistError>& errors() { return errors_; }

  void collect_classes_and_terms() {
    for (std::size_t w = 0; w < watchlists_.size(); ++w) {
      for (const WatchedActor& actor : watchlists_[w].actors) {
        add_class(MatchKind::actor, actor.name, w, actor.line, actor.column, actor.terms);
      }
      for (const KeywordGroup& group : watchlists_[w].keyword_groups) {
        add_class(MatchKind::keyword, group.name, w, group.line, group.column, group.terms);
      }
    }
  }

  // Each class stands in rules for itself and, for a keyword group, every group it includes.
  void expand_includes() {
    members_.assign(classes_.size(), {});
    std::vector<int> state(classes_.size(), 0);  // 0 unvisited, 1 being expanded, 2 done
    for (std::uint32_t c = 0; c < classes_.size(); ++c) expand(c, state);
  }

  void collect_rules() {
    for (std::size_t w = 0; w < watchlists_.size(); ++w) {
      const Watchlist& watchlist = watchlists_[w];
      if (watchlist.rules.empty()) {
        declared_.push_back({implicit_rule(w), w});
        continue;
      }
      for (const RuleDefinition& rule : watchlist.rules) {
        const auto [existing, inserted] = rule_index_.emplace(rule.name, declared_.size());
        if (!inserted) {
          const DeclaredRule& first = declared_[existing->second];
          error(w, rule.line, rule.column,
                "duplicate rule '" + rule.name + "' (first defined at " +
                    position(first.watchlist, first.definition.line, first.definition.column) + ")");
          continue;
        }
        declared_.push_back({rule, w});
      }
    }
  }

  // Resolves names and orders rules so that each comes after those it requires.
  void compile_rules() {
    resolved_.resize(declared_.size());
    for (std::size_t r = 0; r < declared_.size(); ++r) resolved_[r] = resolve(declared_[r]);
    std::vector<int> state(declared_.size(), 0);  // 0 unvisited, 1 on the stack, 2 done
    std::vector<std::uint32_t> topological;
    for (std::size_t r = 0; r < declared_.size(); ++r) visit(r, state, topological);
    std::vector<std::uint32_t> position_of(declared_.size());
    for (std::size_t i = 0; i < topological.size(); ++i)
      position_of[topological[i]] = static_cast<std::uint32_t>(i);
    for (std::uint32_t r : topological) {
      CompiledRule rule{declared_[r].definition.name, declared_[r].definition.severity,
                        declared_[r].definition.within, resolved_[r]};
      for (CompiledRequirement& requirement : rule.requirements) {
        for (std::uint32_t& required : requirement.rules) required = position_of[required];
      }
      rules_.push_back(std::move(rule));
    }
    for (std::size_t r = 0; r < declared_.size(); ++r) declaration_order_.push_back(position_of[r]);
  }

  std::shared_ptr<const TermMatcher> compile_terms() {
    std::vector<TermSpec> specs;
    specs.reserve(term_positions_.size());
    for (const auto& [spec, unused] : term_positions_) specs.push_back(spec);
    auto compiled = TermMatcher::compile(specs);
    if (compiled) return std::move(compiled.value());
    for (const TermError& term_error : compiled.error()) {
      const auto& [spec, at] = term_positions_[term_error.term];
      error(at.watchlist, at.line, at.column, "invalid term '" + spec.text + "': " + term_error.message);
    }
    return nullptr;
  }

  const std::vector<MatchClass>& classes() const { return classes_; }
  const std::vector<TermOwner>& terms() const { return terms_; }
  std::vector<CompiledRule> take_rules() { return std::move(rules_); }
  std::vector<std::uint32_t> take_declaration_order() { return std::move(declaration_order_); }

 private:
  struct TermPosition {
    std::size_t watchlist;
    int line;
    int column;
  };

  std::string position(std::size_t w, int line, int column) const {
    return watchlists_[w].file + ":" + std::to_string(line) + ":" + std::to_string(column);
  }

  void error(std::size_t w, int line, int column, std::string message) {
    errors_.push_back({watchlists_[w].file, line, column, std::move(message)});
  }

  void add_class(MatchKind kind, const std::string& name, std::size_t w, int line, int column,
                 const std::vector<WatchlistTerm>& terms) {
    const char* what = kind == MatchKind::actor ? "actor" : "keyword group";
    if (name == "actors") {
      error(w, line, column, std::string(what) + " name 'actors' is reserved (it means any actor in rules)");
      return;
    }
    const auto [existing, inserted] = class_index_.emplace(name, static_cast<std::uint32_t>(classes_.size()));
    if (!inserted) {
      const MatchClass& first = classes_[existing->second];
      error(w, line, column,
            std::string("duplicate name: ") + what + " '" + name + "' is already the " +
                (first.kind == MatchKind::actor ? "actor" : "keyword group") + " at " +
                position(first.watchlist, first.line, first.column));
      return;
    }
    const auto match_class = static_cast<std::uint32_t>(classes_.size());
    classes_.push_back({kind, name, w, line, column});
    std::vector<std::pair<std::string, bool>> seen;  // a term written twice for one class matches once
    for (const WatchlistTerm& term : terms) {
      const std::pair<std::string, bool> key{term.spec.text, term.spec.match_case};
      if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
      seen.push_back(key);
      terms_.push_back({match_class, term.spec.text});
      term_positions_.push_back({term.spec, TermPosition{w, term.line, term.column}});
    }
  }

  RuleDefinition implicit_rule(std::size_t w) const {
    RuleDefinition rule;
    rule.name = "any-match (" + watchlists_[w].name + ")";
    rule.severity = Severity::low;
    rule.within = RuleWindow{};
    Requirement any;
    for (const WatchedActor& actor : watchlists_[w].actors)
      any.any_of.push_back({RuleReference::Kind::name, actor.name});
    for (const KeywordGroup& group : watchlists_[w].keyword_groups) {
      any.any_of.push_back({RuleReference::Kind::name, group.name});
    }
    if (!any.any_of.empty()) rule.requirements.push_back(std::move(any));
    return rule;
  }

  std::vector<CompiledRequirement> resolve(const DeclaredRule& rule) {
    std::vector<CompiledRequirement> requirements;
    for (const Requirement& requirement : rule.definition.requirements) {
      CompiledRequirement compiled;
      for (const RuleReference& reference : requirement.any_of) resolve_reference(reference, rule, compiled);
      std::sort(compiled.classes.begin(), compiled.classes.end());
      compiled.classes.erase(std::unique(compiled.classes.begin(), compiled.classes.end()),
                             compiled.classes.end());
      requirements.push_back(std::move(compiled));
    }
    return requirements;
  }

  void resolve_reference(const RuleReference& reference, const DeclaredRule& rule, CompiledRequirement& out) {
    const std::size_t w = rule.watchlist;
    switch (reference.kind) {
      case RuleReference::Kind::any_actor: {
        const std::size_t before = out.classes.size();
        for (std::uint32_t c = 0; c < classes_.size(); ++c) {
          if (classes_[c].kind == MatchKind::actor && classes_[c].watchlist == w) out.classes.push_back(c);
        }
        if (out.classes.size() == before) {
          error(w, reference.line, reference.column,
                "rule '" + rule.definition.name + "' requires 'actors' but watchlist '" +
                    watchlists_[w].name + "' has none");
        }
        return;
      }
      case RuleReference::Kind::name: {
        const auto found = class_index_.find(reference.name);
        if (found != class_index_.end()) {
          out.classes.insert(out.classes.end(), members_[found->second].begin(),
                             members_[found->second].end());
          return;
        }
        const bool is_rule = rule_index_.count(reference.name) > 0;
        error(w, reference.line, reference.column,
              "rule '" + rule.definition.name + "' names unknown actor or keyword group '" + reference.name +
                  "'" +
                  (is_rule ? " (to require a rule, write {rule: " + reference.name + "} or require_rule)"
                           : ""));
        return;
      }
      case RuleReference::Kind::rule: {
        const auto found = rule_index_.find(reference.name);
        if (found == rule_index_.end()) {
          error(w, reference.line, reference.column,
                "rule '" + rule.definition.name + "' requires unknown rule '" + reference.name + "'");
          return;
        }
        out.rules.push_back(static_cast<std::uint32_t>(found->second));
        return;
      }
    }
  }

  void expand(std::uint32_t c, std::vector<int>& state) {
    if (state[c] != 0) return;
    state[c] = 1;
    members_[c].push_back(c);
    if (const KeywordGroup* group = group_of(c)) {
      for (const GroupInclude& include : group->includes) {
        const std::size_t w = classes_[c].watchlist;
        const auto found = class_index_.find(include.name);
        if (found == class_index_.end() || classes_[found->second].kind != MatchKind::keyword) {
          error(w, include.line, include.column,
                "keyword group '" + group->name + "' includes unknown keyword group '" + include.name + "'");
          continue;
        }
        if (state[found->second] == 1) {
          error(w, include.line, include.column,
                "keyword group '" + group->name + "' includes '" + include.name +
                    "', which includes it in turn");
          continue;
        }
        expand(found->second, state);
        members_[c].insert(members_[c].end(), members_[found->second].begin(), members_[found->second].end());
      }
    }
    std::sort(members_[c].begin(), members_[c].end());
    members_[c].erase(std::unique(members_[c].begin(), members_[c].end()), members_[c].end());
    state[c] = 2;
  }

  const KeywordGroup* group_of(std::uint32_t c) const {
    if (classes_[c].kind != MatchKind::keyword) return nullptr;
    for (const KeywordGroup& group : watchlists_[classes_[c].watchlist].keyword_groups) {
      if (group.name == classes_[c].name) return &group;
    }
    return nullptr;
  }

  void visit(std::size_t r, std::vector<int>& state, std::vector<std::uint32_t>& order) {
    if (state[r] == 2) return;
    if (state[r] == 1) {
      const DeclaredRule& rule = declared_[r];
      error(rule.watchlist, rule.definition.line, rule.definition.column,
            "rule '" + rule.definition.name + "' requires itself through a cycle of rules");
      return;
    }
    state[r] = 1;
    for (CompiledRequirement& requirement : resolved_[r]) {
      // Drop the edge that closes a cycle so the order stays well defined; the error is reported.
      std::erase_if(requirement.rules, [&](std::uint32_t required) {
        const bool closes_cycle = state[required] == 1;
        visit(required, state, order);
        return closes_cycle;
      });
    }
    state[r] = 2;
    order.push_back(static_cast<std::uint32_t>(r));
  }

  const std::vector<Watchlist>& watchlists_;
  std::vector<WatchlistError> errors_;
  std::vector<MatchClass> classes_;
  std::unordered_map<std::string, std::uint32_t> class_index_;
  std::vector<std::vector<std::uint32_t>> members_;  // per class: itself and the groups it includes
  std::vector<TermOwner> terms_;
  std::vector<std::pair<TermSpec, TermPosition>> term_positions_;
  std::vector<DeclaredRule> declared_;
  std::unordered_map<std::string, std::size_t> rule_index_;
  std::vector<std::vector<CompiledRequirement>> resolved_;
  std::vector<CompiledRule> rules_;
  std::vector<std::uint32_t> declaration_order_;
};

}  // namespace

namespace match_detail {

void save_matcher(const Matcher& matcher, ByteWriter& out) {
  // CompiledMatcher is the only implementation.
  static_cast<const CompiledMatcher&>(matcher).save(out);
}

std::shared_ptr<const Matcher> restore_matcher(ByteReader& in, const MatcherOptions& options) {
  return CompiledMatcher::restore(in, options);
}

}  // namespace match_detail

Result<std::shared_ptr<const Matcher>, std::vector<WatchlistError>> Matcher::compile(
    std::vector<Watchlist> watchlists, MatcherOptions options) {
  Compiler compiler(watchlists);
  compiler.collect_classes_and_terms();
  compiler.expand_includes();
  compiler.collect_rules();
  compiler.compile_rules();
  std::shared_ptr<const TermMatcher> term_matcher = compiler.compile_terms();
  if (!compiler.errors().empty()) return std::move(compiler.errors());
  std::vector<WatchlistInfo> infos;
  for (const Watchlist& watchlist : watchlists)
    infos.push_back({watchlist.name, watchlist.file, watchlist.version});
  return CompiledMatcher::from_compiler(compiler.classes(), compiler.terms(), std::move(term_matcher),
                                       compiler.take_rules(), compiler.take_declaration_order(), std::move(infos),
                                       options);
}

Result<std::shared_ptr<const Matcher>, std::vector<WatchlistError>> load_matcher(
    const std::vector<std::filesystem::path>& files, MatcherOptions options) {
  std::vector<Watchlist> watchlists;
  std::vector<WatchlistError> errors;
  for (const auto& file : files) {
    auto loaded = load_watchlist(file, options.watchlist_limits);
    if (loaded) {
      watchlists.push_back(std::move(loaded.value()));
    } else {
      errors.insert(errors.end(), loaded.error().begin(), loaded.error().end());
    }
  }
  if (!errors.empty()) return errors;
  return Matcher::compile(std::move(watchlists), options);
}

}  // namespace newswatch
