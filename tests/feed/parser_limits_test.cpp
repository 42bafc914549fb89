// ParseLimits' per-article caps: what is cut, where, and how it is reported.
#include <catch2/catch.hpp>
#include <string>

#include "feed/encoding.hpp"
#include "feed/parser.hpp"

namespace newswatch {
namespace {

std::string rss_item(const std::string& inner) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>Feed</title>"
         "<link>https://example.org/</link><item>" +
         inner + "</item></channel></rss>";
}

ParsedFeed parse_ok(const std::string& document, const ParseLimits& limits) {
  auto result = parse_feed(document, "", "https://example.org/feed.xml", limits);
  if (!result) FAIL("parse failed: " << result.error().message);
  return std::move(result).value();
}

const ParseProblem* field_warning(const ParsedFeed& parsed) {
  for (const ParseProblem& warning : parsed.warnings) {
    if (warning.kind == ParseErrorKind::field_truncated) return &warning;
  }
  return nullptr;
}

std::string repeat(const std::string& piece, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += piece;
  return out;
}

}  // namespace

TEST_CASE("the caps' defaults", "[parser][limits]") {
  const ParseLimits limits;
  CHECK(limits.max_bytes == 16u << 20);
  CHECK(limits.max_items == 10000);
  CHECK(limits.max_title_bytes == 4096);
  CHECK(limits.max_text_bytes == 1u << 20);
  CHECK(limits.max_link_bytes == 8000);
  CHECK(limits.max_names == 100);
}

TEST_CASE("a feed within the caps has no field_truncated warning", "[parser][limits]") {
  const ParsedFeed parsed = parse_ok(rss_item("<title>Short</title><description>Text</description>"), {});
  CHECK(parsed.fields_truncated == 0);
  CHECK(field_warning(parsed) == nullptr);
  CHECK(parsed.feed.articles.at(0).title == "Short");
}

TEST_CASE("a long title is cut at a character boundary and counted", "[parser][limits]") {
  ParseLimits limits;
  limits.max_title_bytes = 5;  // "é" is 2 bytes: 5 bytes would cut the third in half
  const ParsedFeed parsed = parse_ok(rss_item("<title>" + repeat("é", 10) + "</title>"), limits);
  const Article& article = parsed.feed.articles.at(0);
  CHECK(article.title == "éé");
  CHECK(parsed.fields_truncated == 1);
  const ParseProblem* warning = field_warning(parsed);
  REQUIRE(warning != nullptr);
  CHECK(warning->message == "1 fields over their caps were cut, the first: title of item 1");
}

TEST_CASE("summary and content are each cut to max_text_bytes", "[parser][limits]") {
  ParseLimits limits;
  limits.max_text_bytes = 7;
  const ParsedFeed parsed = parse_ok(
      rss_item("<description>alpha beta gamma</description><content:encoded "
               "xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">кириллица</content:encoded>"),
      limits);
  const Article& article = parsed.feed.articles.at(0);
  CHECK(article.summary == "alpha b");
  CHECK(article.content == "кир");  // 6 bytes: a seventh would split "и"
  CHECK(parsed.fields_truncated == 2);
  CHECK(sanitize_utf8(article.content) == article.content);
}

TEST_CASE("authors and categories keep the first max_names, counted once per list", "[parser][limits]") {
  ParseLimits limits;
  limits.max_names = 3;
  std::string categories;
  for (int i = 1; i <= 200; ++i) categories += "<category>c" + std::to_string(i) + "</category>";
  const ParsedFeed parsed = parse_ok(rss_item("<title>t</title>" + categories), limits);
  const Article& article = parsed.feed.articles.at(0);
  CHECK(article.categories == std::vector<std::string>{"c1", "c2", "c3"});
  CHECK(parsed.fields_truncated == 1);

  std::string json =
      R"({"version":"https://jsonfeed.org/version/1.1","title":"t","items":[{"id":"1","authors":[)";
  for (int i = 1; i <= 5; ++i)
    json += std::string(i > 1 ? "," : "") + R"({"name":"a)" + std::to_string(i) + "\"}";
  json += R"(],"tags":["x","y","z","w"]}]})";
  const ParsedFeed from_json = parse_ok(json, limits);
  const Article& item = from_json.feed.articles.at(0);
  CHECK(item.authors == std::vector<std::string>{"a1", "a2", "a3"});
  CHECK(item.categories == std::vector<std::string>{"x", "y", "z"});
  CHECK(from_json.fields_truncated == 2);
}

TEST_CASE("a link over the cap is dropped, an id over it becomes its hash", "[parser][limits]") {
  ParseLimits limits;
  limits.max_link_bytes = 40;
  const std::string long_link = "https://example.org/" + std::string(100, 'a');
  const std::string long_id = "urn:x:" + std::string(100, 'b');
  const ParsedFeed parsed = parse_ok(rss_item("<title>t</title><link>" + long_link +
                                              "</link><guid isPermaLink=\"false\">" + long_id + "</guid>"),
                                     limits);
  const Article& article = parsed.feed.articles.at(0);
  CHECK(article.link.empty());
  CHECK(article.id.size() == 64);
  CHECK(article.id.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(parsed.fields_truncated == 2);
  // The same feed gives the same id: the hash is as stable as the id it replaces.
  CHECK(parse_ok(rss_item("<title>t</title><guid isPermaLink=\"false\">" + long_id + "</guid>"), limits)
            .feed.articles.at(0)
            .id == article.id);
}

TEST_CASE("the feed's own title is capped too", "[parser][limits]") {
  ParseLimits limits;
  limits.max_title_bytes = 4;
  const ParsedFeed parsed = parse_ok(rss_item("<title>item</title>"), limits);
  CHECK(parsed.feed.title == "Feed");
  const std::string long_feed =
      "<rss version=\"2.0\"><channel><title>Long feed title</title><item><title>i</title>"
      "</item></channel></rss>";
  const ParsedFeed cut = parse_ok(long_feed, limits);
  CHECK(cut.feed.title == "Long");
  REQUIRE(field_warning(cut) != nullptr);
  CHECK(field_warning(cut)->message == "1 fields over their caps were cut, the first: title of the feed");
}

TEST_CASE("a JSON syntax error's message is valid UTF-8 even when it quotes half a character",
          "[parser][errors]") {
  // Found by fuzz_feed_parser: nlohmann quotes the bytes last read, which ended inside "é".
  const std::string document = "{\"version\":\"https://jsonfeed.org/version/1.1\",\"items\":[{\xC3\xA9";
  auto result = parse_feed(document, "", "");
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().kind == ParseErrorKind::malformed);
  CHECK(sanitize_utf8(result.error().message) == result.error().message);
}

}  // namespace newswatch

namespace newswatch {

TEST_CASE("base64 text that does not decode to UTF-8 comes out valid, bad bytes replaced",
          "[parser][atom03]") {
  // Found by fuzz_feed_parser: "J+x0" decodes to 27 EC 74 (EC starts a 3-byte sequence that 74 breaks).
  const std::string document =
      "<feed version=\"0.3\" xmlns=\"http://purl.org/atom/ns#\"><entry><id>1</id>"
      "<title mode=\"base64\">J+x0</title></entry></feed>";
  auto result = parse_feed(document, "", "");
  REQUIRE(result.ok());
  const std::string& title = result->feed.articles.at(0).title;
  CHECK(title == "'\xEF\xBF\xBDt");
}

}  // namespace newswatch
