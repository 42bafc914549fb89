// JSON Feed is read with simdjson where it accepts the document and with nlohmann otherwise
// (lib/feed/detail/json_feed.cpp). Whichever reads it, the result must be nlohmann's: every JSON file
// of the fixture corpora, and the documents where the two parsers differ (duplicate keys, numbers at
// the edges of their types, escapes, a byte order mark, trailing bytes), give the same feed or the
// same error both ways.
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "feed/article_json.hpp"
#include "feed/detail/parse_common.hpp"
#include "fixtures.hpp"

namespace newswatch {
namespace {

// Everything a parse says, as one string.
std::string outcome(std::string_view text, detail::JsonParser parser) {
  ParseLimits limits;
  limits.max_items = 3;  // the truncation warning, too
  const auto result = detail::read_json_feed(text, "https://example.org/feed.json", limits, parser);
  if (!result) {
    const ParseProblem& problem = result.error();
    return "error " + std::string(to_string(problem.kind)) + " " + std::to_string(problem.line) + ":" +
           std::to_string(problem.column) + " " + problem.message;
  }
  std::string out = "feed " + std::to_string(static_cast<int>(result->feed.format)) + " " + result->feed.title +
                    " " + result->feed.link + "\n";
  for (const auto& warning : result->warnings) out += "warning " + warning.message + "\n";
  for (const Article& article : result->feed.articles)
    out += article_to_json(result->feed, article).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  return out;
}

void check_same(std::string_view text) {
  INFO(text.substr(0, 300));
  CHECK(outcome(text, detail::JsonParser::fast) == outcome(text, detail::JsonParser::reference));
}

TEST_CASE("every JSON fixture reads the same with simdjson as with nlohmann") {
  std::size_t files = 0;
  for (const auto& root : {testing::shared_dir() / "fixtures" / "feeds", testing::tests_dir() / "fixtures"}) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
      if (!entry.is_regular_file() || entry.path().extension() != ".json") continue;
      ++files;
      check_same(testing::read_file(entry.path()));
    }
  }
  CHECK(files >= 50);
}

TEST_CASE("documents where the two parsers differ read as nlohmann reads them") {
  const std::string head = R"({"version":"https://jsonfeed.org/version/1.1","title":"T","items":)";
  const std::vector<std::string> documents = {
      // Duplicate keys: nlohmann keeps the last.
      head + R"([{"id":"first","id":"second","title":"a","title":"b"}]})",
      R"({"version":"1.0","items":[],"items":[{"id":"x"}]})",
      R"({"version":"nope","version":"https://jsonfeed.org/version/1","items":[]})",
      // Numbers as ids: integers of both types and past them, -0, floats.
      head + R"([{"id":-0},{"id":9223372036854775807},{"id":18446744073709551615}]})",
      head + R"([{"id":18446744073709551616},{"id":1.5},{"id":1e2}]})",
      head + R"([{"id":-9223372036854775808},{"id":2e968}]})",
      // Escapes: a pair, a lone surrogate, NUL, and every short escape.
      head + R"([{"id":"\ud83d\ude00","title":"\"\\\/\b\f\n\r\t\u0000"}]})",
      head + R"([{"id":"\ud800"}]})",
      // What simdjson refuses and nlohmann reads, or both refuse with a position.
      "\xEF\xBB\xBF" + head + "[]}",
      head + "[]} trailing",
      head + "[1,]}",
      head + "[{\"id\":\"a\nb\"}]}",
      "",
      "   ",
      "[]",
      "null",
      // Shapes: items not an array, an item not an object, authors of every kind, tags.
      head + R"("x"})",
      head + R"([1,"x",null,{"id":"ok","authors":[{"name":"A"},{"name":"A"},"B",{"name":7}],"author":{"name":"C"},"tags":["t",1,"t"," u "]}]})",
      head + R"([{"id":"1"},{"id":"2"},{"id":"3"},{"id":"4"},{"id":"5"}]})",
  };
  for (const std::string& document : documents) check_same(document);
}

}  // namespace
}  // namespace newswatch
