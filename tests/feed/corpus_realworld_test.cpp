// feed-rs's captures of real outlets (Italian, German, US): the fields that identify and date an
// article must be exactly right, item by item.
#include "corpus_support.hpp"

namespace newswatch::testing {
namespace {

struct ExpectedItem {
  const char* id;
  const char* title;
  const char* link;
  const char* published;  // RFC 3339, or "null"
};

void require_items(const char* file, const char* feed_title, const std::vector<ExpectedItem>& items) {
  INFO(file);
  const auto parsed = parse_fixture(feeds_dir() / "feed-rs" / file);
  REQUIRE(parsed.ok());
  CHECK_FALSE(parsed->malformed());
  CHECK(parsed->feed.title == feed_title);
  REQUIRE(parsed->feed.articles.size() == items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    const Article& article = parsed->feed.articles[i];
    CHECK(article.id == items[i].id);
    CHECK(article.title == items[i].title);
    CHECK(article.link == items[i].link);
    CHECK(date_text(article.published) == items[i].published);
    CHECK_FALSE(article.updated);
  }
}

TEST_CASE("Italian outlets: Il Giornale and Il Messaggero", "[corpus][realworld]") {
  require_items("rss2/rss_2.0_ilgiornale.xml", "Il Giornale - Cronache",
                {{"https://www.ilgiornale.it/news/cronaca-nera/"
                  "caso-saman-abbas-arrestato-pakistan-padre-shabbar-2085649.html",
                  "Arrestato in Pakistan Shabbar Abbas. In Italia \u00e8 accusato per l'omicidio di Saman",
                  "https://www.ilgiornale.it/news/cronaca-nera/"
                  "caso-saman-abbas-arrestato-pakistan-padre-shabbar-2085649.html",
                  "2022-11-15T20:15:04Z"}});
  // "mer, 16 nov 2022 00:38:15 +0100": Italian day and month names.
  require_items("rss2/rss_2.0_ilmessaggero.xml", "ilmessaggero.it - mondo",
                {{"https://www.ilmessaggero.it/mondo/missili_polonia_cosa_e_successo_davvero-7054869.html",
                  "Missili Polonia, cosa \u00e8 successo? Tensione Nato-Russia, Mosca: non siamo stati noi",
                  "https://www.ilmessaggero.it/mondo/missili_polonia_cosa_e_successo_davvero-7054869.html",
                  "2022-11-15T23:38:15Z"}});
}

TEST_CASE("German outlet in ISO-8859-1: Golem.de (RSS 1.0)", "[corpus][realworld]") {
  const char* url =
      "https://www.golem.de/news/"
      "digitalministerium-neue-glasfaserfoerderung-mit-schnellkasse-2301-171451.html";
  require_items("rss1/rss_1.0_iso8859.xml", "Golem.de",
                {{url, "Digitalministerium: Neue Glasfaserf\u00f6rderung mit Schnellkasse", url,
                  "2023-01-25T18:03:02Z"}});
}

TEST_CASE("US outlets: The New Yorker, NBC New York, Ars Technica", "[corpus][realworld]") {
  require_items("rss2/rss_2.0_example_3.xml", "News, Politics, Opinion, Commentary, and Analysis",
                {{"5d420f3abfe6c20008d5eaad",
                  "How a Historian Uncovered Ronald Reagan\u2019s Racist Remarks to Richard Nixon",
                  "https://www.newyorker.com/news/q-and-a/"
                  "how-a-historian-uncovered-ronald-reagans-racist-remarks-to-richard-nixon",
                  "2019-08-02T15:35:34Z"}});
  require_items(
      "rss2/rss_2.0_nbcny.xml", "NBC New York",
      {{"4956764", "NYC cops search for stabbing suspect after leaving 18-year-old to bleed out on sidewalk",
        "https://www.nbcnewyork.com/news/local/"
        "nyc-cops-search-for-stabbing-suspect-after-leaving-18-year-old-to-bleed-out-on-sidewalk/4956764/",
        "2023-12-16T14:02:33Z"}});
  require_items(
      "rss2/rss_2.0_example_5.xml", "Ars Technica",
      {{"https://arstechnica.com/?p=1546121",
        "Apple isn\u2019t the most cash-rich company in the world anymore, but it doesn\u2019t matter",
        "https://arstechnica.com/?p=1546121", "2019-08-05T23:11:09Z"}});
}

}  // namespace
}  // namespace newswatch::testing
