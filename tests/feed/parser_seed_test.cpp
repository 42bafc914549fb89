// The eastern-flank fixtures that later stages build on: the RSS file and its Atom twin give the
// same three articles, the first of them the seed article.
#include <catch2/catch.hpp>

#include "feed/date.hpp"
#include "feed/parser.hpp"
#include "fixtures.hpp"

namespace newswatch {
namespace {

std::string seed_paragraph(int index) {
  std::string text = testing::read_file(testing::shared_dir() / "seed" / "eastern-flank-2022-01-21.txt");
  std::vector<std::string> paragraphs;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find("\n\n", start);
    if (end == std::string::npos) end = text.size();
    paragraphs.push_back(text.substr(start, end - start));
    start = end + 2;
  }
  return paragraphs.at(static_cast<std::size_t>(index));
}

void check_twins(const Feed& feed) {
  CHECK(feed.title == "Example News Romania");
  CHECK(feed.link == "https://www.example-news.ro/");
  REQUIRE(feed.articles.size() == 3);
  const Article& seed = feed.articles[0];
  CHECK(seed.title == "Russia demands NATO troops leave Romania and Bulgaria");
  CHECK(seed.link ==
        "https://www.example-news.ro/world/russia-demands-nato-troops-leave-romania-and-bulgaria-2022-01-21");
  CHECK(seed.id == seed.link);
  REQUIRE(seed.published);
  CHECK(format_rfc3339(*seed.published) == "2022-01-21T09:30:00Z");
  CHECK(seed.summary.starts_with("The security guarantees that Russia seeks from the West"));
  CHECK(seed.summary.find(seed_paragraph(1)) != std::string::npos);
  CHECK(seed.summary.find("date 2022-01-21") == std::string::npos);
  CHECK(seed.authors == std::vector<std::string>{"Newsroom"});
  CHECK(seed.categories == std::vector<std::string>{"World"});
  for (std::size_t i = 1; i < 3; ++i) {
    const Article& other = feed.articles[i];
    const std::string all = other.title + " " + other.summary;
    CHECK(all.find("troop") == std::string::npos);
    CHECK(all.find("actor") == std::string::npos);
    CHECK_FALSE(other.summary.empty());
  }
  CHECK(feed.articles[1].categories == std::vector<std::string>{"Culture"});
  CHECK(feed.articles[2].categories == std::vector<std::string>{"Weather"});
}

TEST_CASE("eastern-flank.rss and eastern-flank.atom carry the same three articles", "[parser][seed]") {
  const auto fixtures = testing::tests_dir() / "fixtures" / "feeds";
  const auto rss = parse_feed(testing::read_file(fixtures / "eastern-flank.rss"), "application/rss+xml",
                              "https://www.example-news.ro/feed.rss");
  const auto atom = parse_feed(testing::read_file(fixtures / "eastern-flank.atom"), "application/atom+xml",
                               "https://www.example-news.ro/feed.atom");
  REQUIRE(rss.ok());
  REQUIRE(atom.ok());
  CHECK(rss->feed.format == FeedFormat::rss20);
  CHECK(atom->feed.format == FeedFormat::atom10);
  CHECK(rss->warnings.empty());
  CHECK(atom->warnings.empty());
  check_twins(rss->feed);
  check_twins(atom->feed);
  for (std::size_t i = 0; i < 3; ++i) {
    const Article& a = rss->feed.articles[i];
    const Article& b = atom->feed.articles[i];
    CHECK(a.id == b.id);
    CHECK(a.title == b.title);
    CHECK(a.link == b.link);
    CHECK(a.published == b.published);
    CHECK(a.summary == b.summary);
  }
}

}  // namespace
}  // namespace newswatch
