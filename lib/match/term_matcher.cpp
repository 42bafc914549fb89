#include "match/term_matcher.hpp"

#include <algorithm>
#include <tuple>

#include "match/detail/automaton.hpp"
#include "match/detail/piece_scanner.hpp"
#include "match/detail/serialize.hpp"
#include "match/detail/term_pieces.hpp"

namespace newswatch {

namespace {

using match_detail::Automaton;
using match_detail::StreamMatcher;

// The scanning loop compiled twice, for x86-64-v3 (AVX2, BMI1/2: variable shifts and bit scans in one
// instruction each) and for the baseline, chosen once at load time by the dynamic linker. flatten
// inlines the scanner into each copy, so the whole loop gets the wider instruction set.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define NEWSWATCH_SCAN_CLONES [[gnu::flatten, gnu::target_clones("arch=x86-64-v3", "default")]]
#else
#define NEWSWATCH_SCAN_CLONES [[gnu::flatten]]
#endif

template <bool kFold>
void scan_text(const Automaton& automaton, std::string_view text, std::vector<TermHit>& hits, std::string& scratch,
               std::vector<StreamMatcher::Partial>& current, std::vector<StreamMatcher::Partial>& next) {
  StreamMatcher matcher(automaton, hits, current, next);
  match_detail::PieceScanner<kFold, StreamMatcher> scanner(text, scratch, matcher);
  scanner.run();
}

NEWSWATCH_SCAN_CLONES void scan_folded(const Automaton& automaton, std::string_view text,
                                       std::vector<TermHit>& hits, std::string& scratch,
                                       std::vector<StreamMatcher::Partial>& current,
                                       std::vector<StreamMatcher::Partial>& next) {
  scan_text<true>(automaton, text, hits, scratch, current, next);
}

NEWSWATCH_SCAN_CLONES void scan_cased(const Automaton& automaton, std::string_view text,
                                      std::vector<TermHit>& hits, std::string& scratch,
                                      std::vector<StreamMatcher::Partial>& current,
                                      std::vector<StreamMatcher::Partial>& next) {
  scan_text<false>(automaton, text, hits, scratch, current, next);
}

// Two automata because match_case terms are compared with the case-kept normalisation of the text and
// every other term with the case-folded one; a text is scanned once per automaton that has terms.
class CompiledTermMatcher final : public TermMatcher {
 public:
  // `backing` keeps alive the bytes that restored tables look at (null when they hold their own).
  CompiledTermMatcher(Automaton folded, Automaton cased, std::size_t term_count,
                      std::shared_ptr<const void> backing = nullptr)
      : backing_(std::move(backing)),
        folded_(std::move(folded)),
        cased_(std::move(cased)),
        term_count_(term_count) {}

  std::vector<TermHit> find_all(std::string_view text) const override {
    std::vector<TermHit> hits;
    std::string scratch;
    std::vector<StreamMatcher::Partial> current, next;
    if (!folded_.empty()) scan_folded(folded_, text, hits, scratch, current, next);
    if (!cased_.empty()) scan_cased(cased_, text, hits, scratch, current, next);
    std::sort(hits.begin(), hits.end(), [](const TermHit& a, const TermHit& b) {
      return std::tie(a.start, a.end, a.term) < std::tie(b.start, b.end, b.term);
    });
    return hits;
  }

  std::size_t term_count() const override { return term_count_; }

  void save(match_detail::ByteWriter& out) const {
    out.size(term_count_);
    folded_.save(out);
    cased_.save(out);
  }

 private:
  std::shared_ptr<const void> backing_;  // first, so that it goes last
  Automaton folded_;
  Automaton cased_;
  std::size_t term_count_;
};

}  // namespace

namespace match_detail {

void save_term_matcher(const TermMatcher& matcher, ByteWriter& out) {
  // CompiledTermMatcher is the only implementation.
  static_cast<const CompiledTermMatcher&>(matcher).save(out);
}

std::shared_ptr<const TermMatcher> restore_term_matcher(ByteReader& in) {
  const std::size_t term_count = in.size(0);
  if (!in.ok() || term_count > kNoId) return nullptr;
  Automaton folded, cased;
  if (!folded.load(in, term_count) || !cased.load(in, term_count)) return nullptr;
  return std::make_shared<CompiledTermMatcher>(std::move(folded), std::move(cased), term_count, in.owner());
}

}  // namespace match_detail

Result<std::shared_ptr<const TermMatcher>, std::vector<TermError>> TermMatcher::compile(
    const std::vector<TermSpec>& terms) {
  std::vector<TermError> errors;
  match_detail::AutomatonBuilder folded;
  match_detail::AutomatonBuilder cased;
  for (std::size_t i = 0; i < terms.size(); ++i) {
    const TermSpec& spec = terms[i];
    auto parsed = match_detail::parse_term(spec.text, !spec.match_case);
    if (!parsed) {
      errors.push_back({i, parsed.error()});
      continue;
    }
    (spec.match_case ? cased : folded).add(parsed.value(), static_cast<std::uint32_t>(i));
  }
  if (!errors.empty()) return errors;
  return std::shared_ptr<const TermMatcher>(
      std::make_shared<CompiledTermMatcher>(folded.build(), cased.build(), terms.size()));
}

}  // namespace newswatch
