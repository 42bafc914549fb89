#pragma once
// Compiled matchers saved as bytes and restored, for the on-disk cache (match/matcher_cache.hpp).
// Restoring checks every index against its table and yields null for bytes that are not a matcher;
// the cache's checksum is what catches damage inside values. Private to lib/match.
#include <memory>

#include "match/detail/bytes.hpp"
#include "match/matcher.hpp"
#include "match/term_matcher.hpp"

namespace newswatch::match_detail {

// Defined in term_matcher.cpp.
void save_term_matcher(const TermMatcher& matcher, ByteWriter& out);
std::shared_ptr<const TermMatcher> restore_term_matcher(ByteReader& in);

// Defined in matcher.cpp. The options are not saved: they are the caller's (snippet size, caps).
void save_matcher(const Matcher& matcher, ByteWriter& out);
std::shared_ptr<const Matcher> restore_matcher(ByteReader& in, const MatcherOptions& options);

}  // namespace newswatch::match_detail
