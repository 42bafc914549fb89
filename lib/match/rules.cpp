#include "match/rules.hpp"

#include <algorithm>
#include <charconv>
#include <limits>
#include <utility>

namespace newswatch {

const char* to_string(Severity severity) {
  switch (severity) {
    case Severity::low:
      return "low";
    case Severity::medium:
      return "medium";
    case Severity::high:
      return "high";
  }
  return "low";
}

std::optional<Severity> parse_severity(std::string_view text) {
  if (text == "low") return Severity::low;
  if (text == "medium") return Severity::medium;
  if (text == "high") return Severity::high;
  return std::nullopt;
}

std::optional<RuleWindow> parse_window(std::string_view text) {
  if (text == "article") return RuleWindow{RuleWindow::Kind::article, 0};
  if (text == "paragraph") return RuleWindow{RuleWindow::Kind::paragraph, 0};
  if (text == "sentence") return RuleWindow{RuleWindow::Kind::sentence, 0};
  std::size_t words = 0;
  const auto [rest, error] = std::from_chars(text.data(), text.data() + text.size(), words);
  if (error != std::errc() || words == 0) return std::nullopt;
  const std::string_view unit = text.substr(static_cast<std::size_t>(rest - text.data()));
  if (unit == " words" || (words == 1 && unit == " word")) return RuleWindow{RuleWindow::Kind::words, words};
  return std::nullopt;
}

std::string to_string(const RuleWindow& window) {
  switch (window.kind) {
    case RuleWindow::Kind::article:
      return "article";
    case RuleWindow::Kind::paragraph:
      return "paragraph";
    case RuleWindow::Kind::sentence:
      return "sentence";
    case RuleWindow::Kind::words:
      return std::to_string(window.words) + (window.words == 1 ? " word" : " words");
  }
  return "article";
}

const std::vector<TextSpan>& FieldWindows::paragraphs() const {
  if (!paragraphs_) {
    paragraphs_ = split_paragraphs(text_);
    // A title is one paragraph, whatever line breaks it holds.
    if (single_sentence_ && !paragraphs_->empty())
      *paragraphs_ = {TextSpan{paragraphs_->front().start, paragraphs_->back().end}};
  }
  return *paragraphs_;
}

const std::vector<TextSpan>& FieldWindows::sentences() const {
  if (!sentences_) sentences_ = single_sentence_ ? paragraphs() : split_sentences(text_, paragraphs());
  return *sentences_;
}

const WordIndex& FieldWindows::words() const {
  if (!words_) words_.emplace(text_);
  return *words_;
}

namespace {

constexpr std::uint32_t kWholeArticle = std::numeric_limits<std::uint32_t>::max();

// Where a requirement is satisfied: a term match, or the extent of a rule's firing.
struct Evidence {
  std::uint32_t field;  // kWholeArticle for a rule that fired on the article as a whole
  std::size_t start;
  std::size_t end;
};

using EvidenceLists = std::vector<std::vector<Evidence>>;  // per requirement

EvidenceLists gather_evidence(const CompiledRule& rule, const std::vector<ClassHit>& hits,
                              const std::vector<std::vector<Evidence>>& firings) {
  EvidenceLists lists(rule.requirements.size());
  for (std::size_t r = 0; r < rule.requirements.size(); ++r) {
    const CompiledRequirement& requirement = rule.requirements[r];
    for (const ClassHit& hit : hits) {
      if (std::binary_search(requirement.classes.begin(), requirement.classes.end(), hit.match_class)) {
        lists[r].push_back({hit.field, hit.start, hit.end});
      }
    }
    for (std::uint32_t required_rule : requirement.rules) {
      lists[r].insert(lists[r].end(), firings[required_rule].begin(), firings[required_rule].end());
    }
  }
  return lists;
}

std::vector<Evidence> fire_in_article(const EvidenceLists& lists) {
  for (const auto& list : lists) {
    if (list.empty()) return {};
  }
  return {Evidence{kWholeArticle, 0, 0}};
}

// The index of the span of `spans` (sorted, disjoint) that holds [start, end), if any.
std::optional<std::size_t> enclosing_span(const std::vector<TextSpan>& spans, std::size_t start,
                                          std::size_t end) {
  const auto after = std::upper_bound(spans.begin(), spans.end(), start,
                                      [](std::size_t s, const TextSpan& span) { return s < span.start; });
  if (after == spans.begin()) return std::nullopt;
  const auto index = static_cast<std::size_t>(after - spans.begin()) - 1;
  if (!spans[index].contains(start, end)) return std::nullopt;
  return index;
}

// Fires once per sentence (or paragraph) that holds evidence for every requirement.
std::vector<Evidence> fire_in_spans(const EvidenceLists& lists, const std::vector<FieldWindows>& fields,
                                    bool sentences) {
  using WindowKey = std::pair<std::uint32_t, std::size_t>;  // field, span index
  std::vector<WindowKey> common;
  for (std::size_t r = 0; r < lists.size(); ++r) {
    std::vector<WindowKey> keys;
    for (const Evidence& evidence : lists[r]) {
      if (evidence.field == kWholeArticle) continue;
      const FieldWindows& field = fields[evidence.field];
      const auto span =
          enclosing_span(sentences ? field.sentences() : field.paragraphs(), evidence.start, evidence.end);
      if (span) keys.emplace_back(evidence.field, *span);
    }
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    if (r == 0) {
      common = std::move(keys);
    } else {
      std::vector<WindowKey> both;
      std::set_intersection(common.begin(), common.end(), keys.begin(), keys.end(), std::back_inserter(both));
      common = std::move(both);
    }
    if (common.empty()) return {};
  }
  std::vector<Evidence> firings;
  for (const auto& [field, index] : common) {
    const TextSpan& span = sentences ? fields[field].sentences()[index] : fields[field].paragraphs()[index];
    firings.push_back({field, span.start, span.end});
  }
  return firings;
}

struct WordRange {
  std::uint32_t field;
  std::size_t first;
  std::size_t last;
  std::size_t start;
  std::size_t end;
};

WordRange word_range(const Evidence& evidence, const std::vector<FieldWindows>& fields) {
  const WordIndex& words = fields[evidence.field].words();
  const std::size_t last_byte = evidence.end > evidence.start ? evidence.end - 1 : evidence.start;
  return {evidence.field, words.word_at(evidence.start), words.word_at(last_byte), evidence.start,
          evidence.end};
}

// Fires where one piece of evidence per requirement lies within `limit` words: the latest first word
// of the chosen pieces is at most `limit` words after the earliest last word. Each candidate anchor is
// the piece with the earliest last word; every requirement then needs a piece that ends no earlier and
// starts no later than anchor + limit.
std::vector<Evidence> fire_within_words(const EvidenceLists& lists, const std::vector<FieldWindows>& fields,
                                        std::size_t limit) {
  std::vector<std::vector<WordRange>> ranges(lists.size());
  for (std::size_t r = 0; r < lists.size(); ++r) {
    for (const Evidence& evidence : lists[r]) {
      if (evidence.field != kWholeArticle) ranges[r].push_back(word_range(evidence, fields));
    }
    if (ranges[r].empty()) return {};
  }
  std::vector<Evidence> firings;
  for (const auto& anchors : ranges) {
    for (const WordRange& anchor : anchors) {
      Evidence hull{anchor.field, anchor.start, anchor.end};
      bool all_found = true;
      for (const auto& candidates : ranges) {
        const auto found =
            std::find_if(candidates.begin(), candidates.end(), [&](const WordRange& candidate) {
              return candidate.field == anchor.field && candidate.last >= anchor.last &&
                     candidate.first <= anchor.last + limit;
            });
        if (found == candidates.end()) {
          all_found = false;
          break;
        }
        hull.start = std::min(hull.start, found->start);
        hull.end = std::max(hull.end, found->end);
      }
      if (all_found) firings.push_back(hull);
    }
  }
  return firings;
}

}  // namespace

std::vector<bool> evaluate_rules(const std::vector<CompiledRule>& rules, const std::vector<ClassHit>& hits,
                                 const std::vector<FieldWindows>& fields) {
  std::vector<std::vector<Evidence>> firings(rules.size());
  std::vector<bool> fired(rules.size(), false);
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const CompiledRule& rule = rules[i];
    if (rule.requirements.empty()) continue;
    const EvidenceLists lists = gather_evidence(rule, hits, firings);
    switch (rule.within.kind) {
      case RuleWindow::Kind::article:
        firings[i] = fire_in_article(lists);
        break;
      case RuleWindow::Kind::sentence:
        firings[i] = fire_in_spans(lists, fields, true);
        break;
      case RuleWindow::Kind::paragraph:
        firings[i] = fire_in_spans(lists, fields, false);
        break;
      case RuleWindow::Kind::words:
        firings[i] = fire_within_words(lists, fields, rule.within.words);
        break;
    }
    fired[i] = !firings[i].empty();
  }
  return fired;
}

}  // namespace newswatch
