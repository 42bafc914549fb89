// gofeed's expected results: parser/{rss,atom,json,universal} and translator/* (X.xml or X.json,
// with X.json or X_expected.json). gofeed writes only the fields a test is about, so every key that
// maps to a field we output becomes one check; the others are counted as "not output".
#include <nlohmann/json.hpp>

#include "corpus_support.hpp"

namespace newswatch::testing {
namespace {

using nlohmann::json;

std::string text_of(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_object()) {
    for (const char* key : {"value", "name", "term", "href"}) {
      if (value.contains(key) && value[key].is_string()) return value[key].get<std::string>();
    }
  }
  return {};
}

std::string sorted_set(std::vector<std::string> list) {
  std::sort(list.begin(), list.end());
  list.erase(std::unique(list.begin(), list.end()), list.end());
  std::string out;
  for (const std::string& element : list) out += element + "; ";
  return out;
}

std::vector<std::string> texts_of(const json& value) {
  std::vector<std::string> out;
  if (value.is_array()) {
    for (const json& element : value) {
      std::string text = flat(as_text(text_of(element)));
      if (!text.empty()) out.push_back(std::move(text));
    }
  } else if (std::string text = flat(as_text(text_of(value))); !text.empty()) {
    out.push_back(std::move(text));
  }
  return out;
}

// gofeed lists every link; ours must be one of those an alternate choice may pick.
std::vector<std::string> alternate_hrefs(const json& links) {
  std::vector<std::string> out;
  for (const json& link : links) {
    if (link.is_string()) {
      out.push_back(link.get<std::string>());
    } else if (link.is_object() && link.contains("href")) {
      const std::string rel = link.contains("rel") ? text_of(link["rel"]) : "";
      if (rel.empty() || rel == "alternate") out.push_back(link["href"].get<std::string>());
    }
  }
  return out;
}

void check_link_in(Tally& tally, const char* field, const std::vector<std::string>& hrefs,
                   const std::string& ours) {
  if (hrefs.empty()) return tally.skip("links without an alternate");
  const bool listed = std::find(hrefs.begin(), hrefs.end(), ours) != hrefs.end();
  tally.check(field, hrefs.front(), listed ? hrefs.front() : ours);
}

void check_item(Tally& tally, const json& expected, const Article& article) {
  for (const auto& [key, value] : expected.items()) {
    if (key == "title") {
      tally.check("title", flat(as_text(text_of(value))), flat(article.title));
    } else if (key == "link" || key == "url") {
      tally.check("link", text_of(value), article.link);
    } else if (key == "links") {
      check_link_in(tally, "link", alternate_hrefs(value), article.link);
    } else if (key == "guid" || key == "id") {
      tally.check("id", flat(text_of(value)), article.id);
    } else if (key == "description" || key == "summary") {
      tally.check("summary", flat(as_text(text_of(value))), flat(article.summary));
    } else if (key == "content" || key == "content_html" ||
               (key == "content_text" && !expected.contains("content_html"))) {
      const std::string expected_content = flat(as_text(text_of(value)));
      // We drop content that repeats the summary (see feed/parser.hpp).
      const bool dropped = article.content.empty() && expected_content == flat(article.summary);
      tally.check("content", expected_content, dropped ? expected_content : flat(article.content));
    } else if (key == "pubDateParsed" || key == "publishedParsed" || key == "date_published") {
      tally.check("published", normalise_date(text_of(value)), date_text(article.published));
    } else if (key == "updatedParsed" || key == "date_modified") {
      tally.check("updated", normalise_date(text_of(value)), date_text(article.updated));
    } else if (key == "author" || key == "authors") {
      const std::vector<std::string> names = texts_of(value);
      if (names.empty()) {
        tally.skip("author without a name");
      } else {
        tally.check("authors", sorted_set(names), sorted_set(article.authors));
      }
    } else if (key == "categories" || key == "tags") {
      tally.check("categories", sorted_set(texts_of(value)), sorted_set(article.categories));
    } else {
      tally.skip("item field we do not output");
    }
  }
}

std::optional<std::filesystem::path> source_for(const std::filesystem::path& expected) {
  std::string stem = expected.string();
  stem.resize(stem.size() - 5);
  if (stem.ends_with("_expected")) stem.resize(stem.size() - 9);
  for (const char* extension : {".xml", ".json"}) {
    const std::filesystem::path candidate = stem + extension;
    if (candidate != expected && std::filesystem::exists(candidate)) return candidate;
  }
  return std::nullopt;
}

TEST_CASE("gofeed corpus: every field we output matches gofeed's expectations", "[corpus][gofeed]") {
  Tally tally("gofeed");
  std::vector<std::filesystem::path> expectations;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(feeds_dir() / "gofeed")) {
    if (entry.path().extension() == ".json" && source_for(entry.path())) expectations.push_back(entry.path());
  }
  std::sort(expectations.begin(), expectations.end());
  REQUIRE(expectations.size() >= 480);

  for (const auto& expected_path : expectations) {
    const auto source = *source_for(expected_path);
    const json expected = json::parse(read_file(expected_path), nullptr, false);
    if (!expected.is_object()) {
      tally.skip("expected file is not a JSON object");
      continue;
    }
    const auto parsed = parse_fixture(source);
    tally.begin_file(relative_name(source));
    if (!parsed) {
      tally.check("parse", "ok", to_string(parsed.error().kind) + std::string(": ") + parsed.error().message);
      tally.end_file();
      continue;
    }
    const Feed& feed = parsed->feed;
    for (const auto& [key, value] : expected.items()) {
      if (key == "title") {
        tally.check("feed_title", flat(as_text(text_of(value))), flat(feed.title));
      } else if (key == "link" || key == "home_page_url") {
        tally.check("feed_link", text_of(value), feed.link);
      } else if (key == "items" || key == "entries") {
        tally.check("item_count", std::to_string(value.size()), std::to_string(feed.articles.size()));
        for (std::size_t i = 0; i < value.size() && i < feed.articles.size(); ++i) {
          check_item(tally, value[i], feed.articles[i]);
        }
      } else {
        tally.skip("feed field we do not output");
      }
    }
    tally.end_file();
  }
  WARN(tally.report());
  // Floors just under what the parser reaches, so that a regression fails; every failure must be a
  // deliberate deviation listed, with its reason, in known_deviations.txt.
  CHECK(tally.check_rate() >= 0.97);
  CHECK(tally.file_rate() >= 0.96);
  CHECK(tally.unexplained() == 0);
}

}  // namespace
}  // namespace newswatch::testing
