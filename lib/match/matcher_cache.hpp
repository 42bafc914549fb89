#pragma once
// Compiled watchlists kept on disk. Parsing and compiling a large watchlist costs more than everything
// else a short command does (10,399 terms: about 25 ms, against 1 ms to read the compiled form back),
// and the daemon compiles the same files at every start and every reload that did not touch them.
//
// An entry is named by a SHA-256 over everything that went into the matcher: the program's build (its
// GNU build ID, so a new build never reads an old build's bytes), the watchlist limits, and each
// watchlist's path and bytes. An edited watchlist is a new entry, never a stale hit. Entries carry a
// checksum; one that fails it or does not restore is reported and replaced. Entries are written to a
// temporary file and renamed into place, so processes sharing the directory never read half of one.
// The directory keeps the most recently used entries (max_entries) and removes the others.
//
// Only watchlists that compile are cached, so a hit has nothing to report; errors come from
// compiling, exactly as load_matcher (match/matcher.hpp) reports them.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "match/matcher.hpp"

namespace newswatch {

struct MatcherCacheOptions {
  std::filesystem::path directory;  // created when missing
  std::size_t max_entries = 4;
  // A hit's tables look at the entry's mapped bytes instead of copies of them (10,399 terms: 2.4 MB,
  // 0.7 ms less). For commands that exit soon: a mapped file truncated in place raises SIGBUS at the
  // next read of it. Entries are only ever replaced by a rename, but `cp` over one would truncate it,
  // and the daemon lives long enough for that, so it copies.
  bool keep_entry_mapped = false;
};

struct MatcherCacheReport {
  bool hit = false;     // read back from the cache; false: parsed and compiled
  bool stored = false;  // compiled and written to the cache
  // Entries that could not be read, restored or written, and why; worth a warning, never fatal: the
  // matcher is then compiled from the watchlists. A folder or entry the user has no permission for
  // (or on a read-only file system) is not listed: the cache is just not used.
  std::vector<std::string> problems;
};

// load_matcher with the cache: the same matcher, or the same errors, as load_matcher(files, options).
Result<std::shared_ptr<const Matcher>, std::vector<WatchlistError>> load_matcher_cached(
    const std::vector<std::filesystem::path>& files, const MatcherOptions& options,
    const MatcherCacheOptions& cache, MatcherCacheReport& report);

}  // namespace newswatch
