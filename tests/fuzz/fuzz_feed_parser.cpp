// Feed parser: response bytes (optionally preceded by a "Content-Type: ..." line) to a Feed.
// Checks: never crashes; every text it returns is valid UTF-8; the item cap holds; every article has
// an id; a date it returns prints and reads back the same; the JSON output line can be built; a JSON
// document reads the same with simdjson as with nlohmann alone.
#include <cstddef>
#include <cstdint>

#include "common/utf8.hpp"
#include "feed/article_json.hpp"
#include "feed/date.hpp"
#include "feed/detail/parse_common.hpp"
#include "feed/parser.hpp"
#include "fuzz_support.hpp"

using namespace newswatch;

namespace {

void check_date(const std::optional<Instant>& date) {
  if (!date) return;
  const std::string text = format_rfc3339(*date);
  fuzz::require(parse_feed_date(text) == date, "a parsed date prints and reads back the same", text);
}

void check_article(const Feed& feed, const Article& article, const ParseLimits& limits) {
  fuzz::require(!article.id.empty(), "every article has an id");
  for (const std::string* text :
       {&article.id, &article.title, &article.link, &article.summary, &article.content}) {
    fuzz::require_utf8(*text, "article text is valid UTF-8");
  }
  for (const auto& list : {&article.authors, &article.categories}) {
    for (const std::string& text : *list) fuzz::require_utf8(text, "author or category is valid UTF-8");
  }
  fuzz::require(article.title.size() <= limits.max_title_bytes, "title within its cap", article.title);
  fuzz::require(article.summary.size() <= limits.max_text_bytes, "summary within its cap");
  fuzz::require(article.content.size() <= limits.max_text_bytes, "content within its cap");
  fuzz::require(article.authors.size() <= limits.max_names, "authors within their cap");
  fuzz::require(article.categories.size() <= limits.max_names, "categories within their cap");
  check_date(article.published);
  check_date(article.updated);
  (void)article_to_json(feed, article).dump();
}

// Everything a JSON Feed parse says, as one string.
std::string json_outcome(std::string_view text, const ParseLimits& limits, detail::JsonParser parser) {
  const auto result = detail::read_json_feed(text, "https://example.org/feeds/fuzz.json", limits, parser);
  if (!result) {
    return "error " + std::to_string(result.error().line) + ":" + std::to_string(result.error().column) + " " +
           result.error().message;
  }
  std::string out = result->feed.title + "\n" + result->feed.link + "\n";
  for (const auto& warning : result->warnings) out += warning.message + "\n";
  for (const Article& article : result->feed.articles) out += article_to_json(result->feed, article).dump() + "\n";
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto [content_type, body] = fuzz::take_content_type(fuzz::as_text(data, size));
  // Small caps, so that the fuzzer reaches them with inputs of a few kilobytes.
  ParseLimits limits;
  limits.max_items = 50;
  limits.max_title_bytes = 300;
  limits.max_text_bytes = 2000;
  limits.max_names = 20;
  if (first_invalid_utf8(body) == body.size()) {
    fuzz::require(json_outcome(body, limits, detail::JsonParser::fast) ==
                      json_outcome(body, limits, detail::JsonParser::reference),
                  "JSON reads the same with simdjson as with nlohmann", body);
  }
  auto result = parse_feed(body, content_type, "https://example.org/feeds/fuzz.xml", limits);
  if (!result) {
    fuzz::require_utf8(result.error().message, "error message is valid UTF-8");
    return 0;
  }
  const Feed& feed = result->feed;
  fuzz::require_utf8(feed.title, "feed title is valid UTF-8");
  fuzz::require_utf8(feed.link, "feed link is valid UTF-8");
  fuzz::require(feed.articles.size() <= limits.max_items, "item count within its cap");
  for (const Article& article : feed.articles) check_article(feed, article, limits);
  for (const ParseProblem& warning : result->warnings)
    fuzz::require_utf8(warning.message, "warning is UTF-8");
  return 0;
}
