#pragma once
// Shared by the corpus tests: reading fixture files, comparing our plain text with the peers' HTML,
// tallying checks per corpus, and the list of deliberate deviations (tests/feed/known_deviations.txt).
#include <fnmatch.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "feed/date.hpp"
#include "feed/html_text.hpp"
#include "feed/parser.hpp"
#include "fixtures.hpp"

namespace newswatch::testing {

inline std::filesystem::path feeds_dir() { return shared_dir() / "fixtures" / "feeds"; }

inline std::string relative_name(const std::filesystem::path& path) {
  return std::filesystem::relative(path, feeds_dir()).generic_string();
}

// The peers keep (sanitised) HTML where we give plain text: compare both as one line of text.
inline std::string as_text(std::string_view html_or_text) { return html_to_inline_text(html_or_text); }
inline std::string flat(std::string_view ours) { return collapse_whitespace(ours); }

inline std::string date_text(const std::optional<Instant>& instant) {
  return instant ? format_rfc3339(*instant) : std::string("null");
}

// "2021-02-25T10:15:00.123+01:00" -> the same instant as our format, or the text when unreadable.
inline std::string normalise_date(std::string_view text) {
  const auto instant = parse_feed_date(text);
  return instant ? format_rfc3339(*instant) : std::string(text);
}

// A deliberate difference from a peer: file pattern (fnmatch, relative to fixtures/feeds), field, why.
struct KnownDeviation {
  std::string file_pattern;
  std::string field;
  std::string reason;
};

inline std::string trim_copy(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r'))
    text.remove_suffix(1);
  return std::string(text);
}

// Format: "file-pattern | field | reason", '#' starts a comment line.
inline std::vector<KnownDeviation> load_known_deviations() {
  std::vector<KnownDeviation> list;
  std::istringstream lines(read_file(tests_dir() / "feed" / "known_deviations.txt"));
  std::string line;
  while (std::getline(lines, line)) {
    if (trim_copy(line).empty() || trim_copy(line)[0] == '#') continue;
    const std::size_t first = line.find('|');
    const std::size_t second = line.find('|', first + 1);
    if (first == std::string::npos || second == std::string::npos) {
      list.push_back({trim_copy(line), "", ""});  // the format test reports it
      continue;
    }
    list.push_back({trim_copy(line.substr(0, first)), trim_copy(line.substr(first + 1, second - first - 1)),
                    trim_copy(line.substr(second + 1))});
  }
  return list;
}

struct Failure {
  std::string file;
  std::string field;
  std::string expected;
  std::string actual;
};

// Counts for one corpus; a file passes when all of its applicable checks pass.
class Tally {
 public:
  explicit Tally(std::string corpus) : corpus_(std::move(corpus)), deviations_(load_known_deviations()) {}

  void begin_file(std::string file) {
    file_ = std::move(file);
    ++files_;
    file_ok_ = true;
  }
  void end_file() {
    if (file_ok_) ++files_passed_;
  }

  void check(const std::string& field, const std::string& expected, const std::string& actual) {
    ++checks_;
    if (expected == actual) {
      ++checks_passed_;
      return;
    }
    file_ok_ = false;
    failures_.push_back({file_, field, expected, actual});
  }
  // A check that cannot be evaluated, or concerns a field we do not output.
  void skip(const std::string& why) { ++skipped_[why]; }

  std::optional<std::string> explanation(const Failure& failure) const {
    for (const KnownDeviation& deviation : deviations_) {
      if ((deviation.field == "*" || deviation.field == failure.field) &&
          fnmatch(deviation.file_pattern.c_str(), failure.file.c_str(), 0) == 0) {
        return deviation.reason;
      }
    }
    return std::nullopt;
  }

  // Prints the pass rates and every failure not explained by known_deviations.txt.
  std::string report() const {
    std::ostringstream out;
    out << corpus_ << ": " << files_passed_ << "/" << files_ << " files, " << checks_passed_ << "/" << checks_
        << " field checks";
    std::size_t unexplained = 0;
    std::ostringstream details;
    for (const Failure& failure : failures_) {
      if (explanation(failure)) continue;
      ++unexplained;
      details << "\n  UNEXPLAINED " << failure.file << " [" << failure.field
              << "]\n    expected: " << failure.expected.substr(0, 300)
              << "\n    actual:   " << failure.actual.substr(0, 300);
    }
    out << ", " << (failures_.size() - unexplained) << " known deviations, " << unexplained << " unexplained";
    for (const auto& [why, count] : skipped_) out << "\n  not evaluated (" << why << "): " << count;
    out << details.str();
    return out.str();
  }

  std::size_t unexplained() const {
    std::size_t count = 0;
    for (const Failure& failure : failures_) count += explanation(failure) ? 0 : 1;
    return count;
  }

  double check_rate() const { return checks_ == 0 ? 0.0 : static_cast<double>(checks_passed_) / checks_; }
  double file_rate() const { return files_ == 0 ? 0.0 : static_cast<double>(files_passed_) / files_; }
  std::size_t checks() const { return checks_; }
  std::size_t files() const { return files_; }
  const std::vector<Failure>& failures() const { return failures_; }

 private:
  std::string corpus_;
  std::vector<KnownDeviation> deviations_;
  std::string file_;
  bool file_ok_ = true;
  std::size_t files_ = 0, files_passed_ = 0, checks_ = 0, checks_passed_ = 0;
  std::vector<Failure> failures_;
  std::map<std::string, std::size_t> skipped_;
};

inline Result<ParsedFeed, ParseProblem> parse_fixture(const std::filesystem::path& path,
                                                      std::string_view feed_url = {}) {
  const std::string bytes = read_file(path);
  return parse_feed(bytes, "", feed_url);
}

}  // namespace newswatch::testing
