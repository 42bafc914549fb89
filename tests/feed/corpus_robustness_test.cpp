// The parser must survive ANY input: every fixture file, whole and cut off at random points, parses
// to a value (feed or typed error) whose text is valid UTF-8 and whose articles all have an id.
#include <random>

#include "corpus_support.hpp"
#include "feed/article_json.hpp"
#include "feed/encoding.hpp"

namespace newswatch::testing {
namespace {

bool valid_utf8(const std::string& text) { return sanitize_utf8(text) == text; }

// Returns a description of the first broken promise, or an empty string.
std::string broken_promise(const Result<ParsedFeed, ParseProblem>& result) {
  if (!result) return result.error().message.empty() ? "error without a message" : "";
  const Feed& feed = result->feed;
  if (!valid_utf8(feed.title) || !valid_utf8(feed.link)) return "feed text is not UTF-8";
  for (const Article& article : feed.articles) {
    if (article.id.empty()) return "article without id";
    for (const std::string* text :
         {&article.id, &article.title, &article.link, &article.summary, &article.content}) {
      if (!valid_utf8(*text)) return "article text is not UTF-8";
    }
  }
  for (const ParseProblem& warning : result->warnings) {
    if (warning.message.empty()) return "warning without a message";
  }
  return "";
}

TEST_CASE("every fixture file, whole and truncated at random points, parses without breaking a promise",
          "[corpus][robustness]") {
  std::vector<std::filesystem::path> files;
  for (const auto& root : {feeds_dir(), tests_dir() / "fixtures" / "feeds"}) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
      if (entry.is_regular_file()) files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() > 3000);

  std::mt19937 random(20220121);  // fixed: the same cuts on every run
  std::size_t parses = 0, feeds = 0, malformed = 0;
  for (const auto& path : files) {
    const std::string bytes = read_file(path);
    std::vector<std::size_t> cuts{bytes.size()};
    if (!bytes.empty()) {
      std::uniform_int_distribution<std::size_t> cut(0, bytes.size() - 1);
      for (int i = 0; i < 3; ++i) cuts.push_back(cut(random));
    }
    for (std::size_t length : cuts) {
      const auto result =
          parse_feed(std::string_view(bytes).substr(0, length), "", "http://example.org/feed");
      ++parses;
      feeds += result.ok() ? 1 : 0;
      malformed += result.ok() && result->malformed() ? 1 : 0;
      const std::string broken = broken_promise(result);
      if (!broken.empty()) FAIL(path.string() << " cut at " << length << ": " << broken);
    }
  }
  WARN("robustness: " << parses << " parses of " << files.size() << " files; " << feeds << " feeds, of which "
                      << malformed << " recovered from malformed input");
  CHECK(feeds > parses / 2);
  CHECK(malformed > 0);
}

// Everything a parse says, as one string to compare.
std::string outcome(const Result<ParsedFeed, ParseProblem>& result) {
  if (!result) return "error " + result.error().message;
  std::string out = result->feed.title + '\n';
  for (const ParseProblem& warning : result->warnings) out += "warning " + warning.message + '\n';
  for (const Article& article : result->feed.articles) {
    out += article_to_json(result->feed, article)
               .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    out += '\n';
  }
  return out;
}

TEST_CASE("bytes given up to the parser parse as the same bytes lent to it", "[corpus][parser]") {
  // parse_owned_feed parses a document that is valid UTF-8 where it lies; anything else
  // (a byte order mark, another encoding, invalid bytes) goes through the copy as before.
  std::size_t files = 0;
  for (const auto& root : {feeds_dir(), tests_dir() / "fixtures" / "feeds"}) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
      if (!entry.is_regular_file()) continue;
      std::string bytes = read_file(entry.path());
      const std::string lent = outcome(parse_feed(std::string_view(bytes), "", "http://example.org/feed"));
      const std::string given = outcome(parse_owned_feed(std::move(bytes), "", "http://example.org/feed"));
      INFO(entry.path().string());
      REQUIRE(given == lent);
      ++files;
    }
  }
  CHECK(files > 3000);
}

}  // namespace
}  // namespace newswatch::testing
