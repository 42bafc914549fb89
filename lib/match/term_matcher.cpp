#include "match/term_matcher.hpp"

#include <algorithm>
#include <tuple>

#include "match/detail/automaton.hpp"
#include "match/detail/piece_scanner.hpp"
#include "match/detail/serialize.hpp"
#include "match/detail/term_pieces.hpp"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && __has_include(<sys/platform/x86.h>)
#include <sys/platform/x86.h>  // glibc 2.33 and later
#define NEWSWATCH_SCAN_V3 1
#else
#define NEWSWATCH_SCAN_V3 0
#endif

namespace newswatch {

namespace {

using match_detail::Automaton;
using match_detail::StreamMatcher;

// The scanning loop compiled twice, for x86-64-v3 (AVX2, BMI1/2: variable shifts and bit scans in one
// instruction each) and for the baseline. flatten inlines the scanner into each copy, so the whole loop
// gets the wider instruction set. The copy is chosen on first use from glibc's record of the CPU's
// features, which the dynamic linker filled in before main, rather than by GCC's target_clones: its
// resolver links libgcc's feature probe, a constructor that runs about ten `cpuid` instructions at every
// start, and `cpuid` traps to the hypervisor in a VM (6.4 µs each on the build machine).
using ScanFunction = void (*)(const Automaton&, std::string_view, std::vector<TermHit>&, std::string&,
                              std::vector<StreamMatcher::Partial>&, std::vector<StreamMatcher::Partial>&);

template <bool kFold>
void scan_text(const Automaton& automaton, std::string_view text, std::vector<TermHit>& hits, std::string& scratch,
               std::vector<StreamMatcher::Partial>& current, std::vector<StreamMatcher::Partial>& next) {
  StreamMatcher matcher(automaton, hits, current, next);
  match_detail::PieceScanner<kFold, StreamMatcher> scanner(text, scratch, matcher);
  scanner.run();
}

template <bool kFold>
[[gnu::flatten]] void scan_baseline(const Automaton& automaton, std::string_view text, std::vector<TermHit>& hits,
                                    std::string& scratch, std::vector<StreamMatcher::Partial>& current,
                                    std::vector<StreamMatcher::Partial>& next) {
  scan_text<kFold>(automaton, text, hits, scratch, current, next);
}

#if NEWSWATCH_SCAN_V3
template <bool kFold>
[[gnu::flatten, gnu::target("arch=x86-64-v3")]] void scan_v3(const Automaton& automaton, std::string_view text,
                                                            std::vector<TermHit>& hits, std::string& scratch,
                                                            std::vector<StreamMatcher::Partial>& current,
                                                            std::vector<StreamMatcher::Partial>& next) {
  scan_text<kFold>(automaton, text, hits, scratch, current, next);
}

// GCC's x86-64-v3 level: the v2 features and the v3 ones, each also enabled by the kernel.
bool cpu_runs_x86_64_v3() {
  return CPU_FEATURE_ACTIVE(CMPXCHG16B) && CPU_FEATURE_ACTIVE(LAHF64_SAHF64) && CPU_FEATURE_ACTIVE(POPCNT) &&
         CPU_FEATURE_ACTIVE(SSE3) && CPU_FEATURE_ACTIVE(SSSE3) && CPU_FEATURE_ACTIVE(SSE4_1) &&
         CPU_FEATURE_ACTIVE(SSE4_2) && CPU_FEATURE_ACTIVE(AVX) && CPU_FEATURE_ACTIVE(AVX2) &&
         CPU_FEATURE_ACTIVE(BMI1) && CPU_FEATURE_ACTIVE(BMI2) && CPU_FEATURE_ACTIVE(F16C) && CPU_FEATURE_ACTIVE(FMA) &&
         CPU_FEATURE_ACTIVE(LZCNT) && CPU_FEATURE_ACTIVE(MOVBE) && CPU_FEATURE_ACTIVE(XSAVE) &&
         CPU_FEATURE_ACTIVE(OSXSAVE);
}
#endif

bool runs_x86_64_v3() {
#if NEWSWATCH_SCAN_V3
  static const bool chosen = cpu_runs_x86_64_v3();
  return chosen;
#else
  return false;
#endif
}

template <bool kFold>
ScanFunction scan_function() {
#if NEWSWATCH_SCAN_V3
  if (runs_x86_64_v3()) return scan_v3<kFold>;
#endif
  return scan_baseline<kFold>;
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
    // Many articles have no content or no summary: an empty text was two scanner set-ups.
    if (text.empty()) return hits;
    std::string scratch;
    std::vector<StreamMatcher::Partial> current, next;
    if (!folded_.empty()) scan_function<true>()(folded_, text, hits, scratch, current, next);
    if (!cased_.empty()) scan_function<false>()(cased_, text, hits, scratch, current, next);
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

std::string_view term_scanner_variant() { return runs_x86_64_v3() ? "x86-64-v3" : "baseline"; }

}  // namespace newswatch
