// Alerts: stable ids from normalised links, deterministic JSON, size caps, the seed's golden alert,
// and validation against config/schema/newswatch.alert.v1.json.

// GCC 12 reports a false -Wrestrict in std::string::replace as inlined into valijson's json_pointer.hpp
// (GCC bug 105329); the warning is located in <string>, so it has to be off before the first include.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wrestrict"
#endif

#include "alert/alert.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <random>
#include <set>
#include <nlohmann/json.hpp>

#include "../match/matcher_test_articles.hpp"
#include "common/sha256.hpp"
#include "common/utf8.hpp"
#include "feed/date.hpp"
#include "match/text_windows.hpp"

// valijson is header-only: Debian's libvalijson-dev (scripts/setup installs it).
#if __has_include(<valijson/validator.hpp>)
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>
#define NEWSWATCH_HAVE_VALIJSON 1
#endif

namespace newswatch {
namespace {

using namespace std::chrono;

const Instant kDetectedAt = sys_days{January / 21 / 2022} + hours(10) + minutes(5) + seconds(7);
const FeedInfo kFeed{"https://feeds.example.com/eastern-flank.rss", "Eastern flank news"};

std::shared_ptr<const Matcher> shipped_matcher() {
  auto matcher = load_matcher({testing::shipped_watchlist()});
  REQUIRE(matcher.ok());
  return matcher.value();
}

// The watchlist as the daemon would name it: relative to the working folder, so the golden file does not
// depend on where the checkout lives.
std::vector<WatchlistInfo> relative_watchlists(const Matcher& matcher) {
  std::vector<WatchlistInfo> infos = matcher.watchlists();
  for (auto& info : infos) info.file = "config/watchlists/eastern-flank.yaml";
  return infos;
}

Alert seed_alert() {
  const auto matcher = shipped_matcher();
  const Article article = testing::seed_article();
  auto alert =
      build_alert(article, kFeed, matcher->match(article), relative_watchlists(*matcher), kDetectedAt);
  REQUIRE(alert.has_value());
  return *alert;
}

TEST_CASE("links are normalised: scheme and host lowercased, fragment and utm_* parameters dropped") {
  struct Case {
    const char* link;
    const char* normalised;
  };
  const std::vector<Case> cases = {
      {"HTTPS://WWW.Example.COM/Path/To?b=2&utm_source=rss&a=1#comments",
       "https://www.example.com/Path/To?b=2&a=1"},
      {"http://example.com/?utm_medium=rss&utm_campaign=x", "http://example.com/"},
      {"http://example.com/a?UTM_Campaign=1&x=utm_y", "http://example.com/a?x=utm_y"},
      {"https://User:Pw@Example.com:8080/x?q=1", "https://User:Pw@example.com:8080/x?q=1"},
      {"https://example.com/a?x=1&&y=2", "https://example.com/a?x=1&y=2"},
      {"https://example.com#top", "https://example.com"},
      {"HTTP://Example.COM?utm_source=x&Q=Ab", "http://example.com?Q=Ab"},
      {"Https://A@B@Example.COM", "https://A@B@example.com"},
      {"https://example.com/news/ID-7", "https://example.com/news/ID-7"},
      {"urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a", "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a"},
      {"not a url", "not a url"},
  };
  for (const Case& c : cases) {
    INFO(c.link);
    CHECK(normalize_link(c.link) == c.normalised);
  }
}

TEST_CASE("the article identity is the normalised link, else the feed URL and the item id") {
  Article article;
  article.id = "item-42";
  article.link = "https://Example.com/story?utm_source=x#p2";
  CHECK(article_identity(article, kFeed.url) == "https://example.com/story");
  article.link.clear();
  CHECK(article_identity(article, kFeed.url) == kFeed.url + " item-42");
}

TEST_CASE("alert ids are stable across link variants and differ between articles") {
  const auto matcher = shipped_matcher();
  Article article = testing::seed_article();
  const MatchResult result = matcher->match(article);
  const auto id = [&](const std::string& link) {
    article.link = link;
    return build_alert(article, kFeed, result, matcher->watchlists(), kDetectedAt)->id;
  };
  const std::string base = id("https://www.example.com/eastern-flank/story");
  CHECK(base == sha256_hex("https://www.example.com/eastern-flank/story"));
  CHECK(id("HTTPS://WWW.EXAMPLE.COM/eastern-flank/story#top") == base);
  CHECK(id("https://www.example.com/eastern-flank/story?utm_source=rss&utm_medium=feed") == base);
  CHECK(id("https://www.example.com/eastern-flank/other-story") != base);
  CHECK(id("https://www.example.com/eastern-flank/STORY") != base);  // paths are case-sensitive
}

TEST_CASE("no rule fired, no alert") {
  const auto matcher = shipped_matcher();
  const Article review = testing::film_review();
  CHECK_FALSE(
      build_alert(review, kFeed, matcher->match(review), matcher->watchlists(), kDetectedAt).has_value());
}

TEST_CASE("the seed's alert matches the golden file byte for byte") {
  const Alert alert = seed_alert();
  const auto golden_path = testing::tests_dir() / "alert" / "golden" / "seed-alert.json";
  // To accept a deliberate change (e.g. an edited watchlist): NEWSWATCH_UPDATE_GOLDEN=1 test_alert
  if (std::getenv("NEWSWATCH_UPDATE_GOLDEN"))
    std::ofstream(golden_path, std::ios::binary) << alert.json << '\n';
  CHECK(alert.json + "\n" == testing::read_file(golden_path));
  CHECK(alert.severity == Severity::high);

  const auto json = nlohmann::json::parse(alert.json);
  CHECK(json["schema"] == "newswatch.alert.v1");
  CHECK(json["alert_id"] == sha256_hex("https://www.example.com/eastern-flank/russia-nato-romania-bulgaria"));
  CHECK(json["detected_at"] == "2022-01-21T10:05:07Z");
  CHECK(json["severity"] == "high");
  CHECK(json["rules"] == nlohmann::json::array({"troop-movement", "actor-troop-movement", "watched"}));
  for (const char* actor : {"Russia", "NATO", "Romania", "Bulgaria"}) {
    INFO(actor);
    CHECK(std::find(json["actors"].begin(), json["actors"].end(), actor) != json["actors"].end());
  }
  CHECK(json["article"]["published"] == "2022-01-21T09:00:00Z");
  CHECK(json["article"]["updated"].is_null());
  CHECK(json["article"]["link"] ==
        "https://www.Example.com/eastern-flank/russia-nato-romania-bulgaria?utm_source=rss#top");  // as given
  CHECK(json["feed"]["url"] == kFeed.url);
  CHECK(json["watchlists"][0]["name"] == "eastern-flank");
  CHECK(json["truncated"].empty());
  CHECK(json["match_count"] == json["matches"].size());
}

TEST_CASE("the same inputs give byte-identical JSON") { CHECK(seed_alert().json == seed_alert().json); }

TEST_CASE("a huge article still makes an alert under 1 MB, and says what was cut") {
  const auto matcher = shipped_matcher();
  Article article;
  article.id = std::string(20000, 'i');
  article.title = "NATO " + std::string(5000, 't');
  article.link = "https://example.com/" + std::string(20000, 'l');
  article.summary = std::string(100000, 's');
  for (int i = 0; i < 20000; ++i) article.content += "Russian troops were deployed. ";
  const MatchResult result = matcher->match(article);
  CHECK(result.truncated);
  const auto alert = build_alert(article, kFeed, result, matcher->watchlists(), kDetectedAt);
  REQUIRE(alert.has_value());
  CHECK(alert->json.size() < 1000000);
  const auto json = nlohmann::json::parse(alert->json);
  CHECK(json["truncated"] == nlohmann::json::array({"id", "link", "matches", "summary", "title"}));
  CHECK(alert->truncated == std::vector<std::string>{"id", "link", "matches", "summary", "title"});
  CHECK(json["matches"].size() == AlertLimits{}.max_matches);
  CHECK(json["match_count"] == 60001);
  CHECK(json["article"]["summary"].get<std::string>().size() == AlertLimits{}.max_summary_bytes);
}

TEST_CASE("caps cut on UTF-8 boundaries and invalid UTF-8 becomes U+FFFD") {
  const auto matcher = shipped_matcher();
  Article article;
  article.title = "NATO \xFF";
  article.summary = "ăăăăă";  // 2 bytes each: a cap of 5 bytes keeps two letters
  article.content = "NATO";
  AlertLimits limits;
  limits.max_summary_bytes = 5;
  const auto alert =
      build_alert(article, kFeed, matcher->match(article), matcher->watchlists(), kDetectedAt, limits);
  REQUIRE(alert.has_value());
  const auto json = nlohmann::json::parse(alert->json);
  CHECK(json["article"]["summary"] == "ăă");
  CHECK(json["article"]["title"] == "NATO \xEF\xBF\xBD");
  CHECK(json["truncated"] == nlohmann::json::array({"summary"}));
}

// The alert as nlohmann's ordered tree and serializer wrote it before build_alert wrote its JSON
// directly: the reference that every byte of the direct writer is held to.
std::string alert_by_nlohmann_tree(const Alert& alert, const Article& article, const FeedInfo& feed,
                                   const MatchResult& result, const std::vector<WatchlistInfo>& watchlists,
                                   const AlertLimits& limits) {
  using Json = nlohmann::ordered_json;
  const auto cut = [](const std::string& text, std::size_t limit) {
    return std::string(utf8_prefix(text, limit));
  };
  const auto time = [](const std::optional<Instant>& instant) -> Json {
    if (!instant) return nullptr;
    return format_rfc3339(*instant);
  };
  const auto names = [&](MatchKind kind) {
    std::set<std::string> distinct;
    for (const Match& match : result.matches)
      if (match.kind == kind) distinct.insert(match.name);
    return std::vector<std::string>(distinct.begin(), distinct.end());
  };
  Json matches = Json::array();
  for (const Match& match : result.matches) {
    if (matches.size() >= limits.max_matches) break;
    Json one;
    one["kind"] = to_string(match.kind);
    one["name"] = match.name;
    one["term"] = match.term;
    one["field"] = to_string(match.field);
    one["start"] = match.start;
    one["end"] = match.end;
    one["snippet"] = cut(match.snippet, limits.max_snippet_bytes);
    matches.push_back(one);
  }
  Json json;
  json["schema"] = kAlertSchema;
  json["alert_id"] = alert.id;
  json["detected_at"] = format_rfc3339(kDetectedAt);
  json["severity"] = to_string(alert.severity);
  json["rules"] = result.rules;
  json["actors"] = names(MatchKind::actor);
  json["keyword_groups"] = names(MatchKind::keyword);
  json["match_count"] = result.total_matches;
  json["truncated"] = alert.truncated;
  json["matches"] = matches;
  json["article"]["id"] = cut(article.id, limits.max_url_bytes);
  json["article"]["title"] = cut(article.title, limits.max_title_bytes);
  json["article"]["link"] = cut(article.link, limits.max_url_bytes);
  json["article"]["published"] = time(article.published);
  json["article"]["updated"] = time(article.updated);
  json["article"]["summary"] = cut(article.summary, limits.max_summary_bytes);
  json["feed"]["url"] = cut(feed.url, limits.max_url_bytes);
  json["feed"]["title"] = cut(feed.title, limits.max_url_bytes);
  json["watchlists"] = Json::array();
  for (const WatchlistInfo& watchlist : watchlists)
    json["watchlists"].push_back(
        Json{{"name", watchlist.name}, {"file", watchlist.file}, {"version", watchlist.version}});
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

TEST_CASE("the JSON is byte for byte what nlohmann's serializer writes, escapes and invalid UTF-8 included") {
  const auto matcher = shipped_matcher();
  // Pieces that exercise every escape: quotes, backslashes, each control character, DEL, two- three-
  // and four-byte UTF-8, and ill-formed sequences (a stray byte, a cut sequence, a surrogate, an
  // overlong form), between words that make the shipped watchlist fire.
  std::vector<std::string> pieces = {"NATO", "Russian troops", "were deployed", " ", ".", "\"", "\\", "/",
                                     "\x7F", "é", "€", "\xF0\x9F\x98\x80", "\xFF", "\xC3", "\xE2\x82",
                                     "\xED\xA0\x80", "\xC0\xAF", "Romania", "Bulgaria", "\n\n"};
  for (int c = 0; c < 0x20; ++c) pieces.emplace_back(1, static_cast<char>(c));
  std::mt19937 random(20220121);
  const auto text = [&](std::size_t max_pieces) {
    std::string out;
    const std::size_t count = random() % (max_pieces + 1);
    for (std::size_t i = 0; i < count; ++i) out += pieces[random() % pieces.size()];
    return out;
  };
  AlertLimits limits;
  limits.max_title_bytes = 40;  // small enough that cuts land inside the pieces
  limits.max_summary_bytes = 60;
  limits.max_snippet_bytes = 30;
  limits.max_matches = 5;
  limits.max_url_bytes = 50;
  int alerts = 0, invalid = 0;
  for (int round = 0; round < 400; ++round) {
    Article article;
    article.id = text(6);
    article.title = "NATO " + text(12);
    article.link = round % 3 == 0 ? "" : "https://example.com/" + text(6);
    article.summary = text(20);
    article.content = "Russian troops were deployed to Romania. " + text(30);
    if (round % 2 == 0) article.published = kDetectedAt - hours(round);
    if (round % 5 == 0) article.updated = kDetectedAt;
    const FeedInfo feed{"https://feeds.example.com/" + text(3), text(4)};
    std::vector<WatchlistInfo> watchlists = matcher->watchlists();
    watchlists.push_back({text(2), text(2), "0123"});
    const MatchResult result = matcher->match(article);
    const auto alert = build_alert(article, feed, result, watchlists, kDetectedAt, limits);
    if (!alert) continue;
    ++alerts;
    if (first_invalid_utf8(article.title) != article.title.size()) ++invalid;
    INFO("round " << round);
    CHECK(alert->json == alert_by_nlohmann_tree(*alert, article, feed, result, watchlists, limits));
  }
  CHECK(alerts > 300);
  CHECK(invalid > 50);
}

#ifdef NEWSWATCH_HAVE_VALIJSON
std::vector<std::string> schema_violations(const nlohmann::json& document) {
  static const nlohmann::json schema_json = nlohmann::json::parse(
      testing::read_file(testing::source_dir() / "config" / "schema" / "newswatch.alert.v1.json"));
  valijson::Schema schema;
  valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
  valijson::adapters::NlohmannJsonAdapter schema_adapter(schema_json);
  parser.populateSchema(schema_adapter, schema);
  valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter target(document);
  std::vector<std::string> violations;
  if (!validator.validate(schema, target, &results)) {
    valijson::ValidationResults::Error error;
    while (results.popError(error)) {
      std::string where;
      for (const auto& part : error.context) where += part;
      violations.push_back(where + ": " + error.description);
    }
  }
  return violations;
}

TEST_CASE("alerts validate against the JSON Schema, and the schema rejects broken alerts") {
  const auto seed = nlohmann::json::parse(seed_alert().json);
  CHECK(schema_violations(seed).empty());

  const auto matcher = shipped_matcher();
  Article bare;
  bare.id = "item-1";
  bare.content = "Russian troops were deployed.";
  const auto alert = build_alert(bare, kFeed, matcher->match(bare), matcher->watchlists(), kDetectedAt);
  REQUIRE(alert.has_value());
  CHECK(schema_violations(nlohmann::json::parse(alert->json)).empty());

  auto broken = seed;
  broken["severity"] = "critical";
  CHECK_FALSE(schema_violations(broken).empty());
  broken = seed;
  broken.erase("alert_id");
  CHECK_FALSE(schema_violations(broken).empty());
  broken = seed;
  broken["matches"][0]["field"] = "body";
  CHECK_FALSE(schema_violations(broken).empty());
  broken = seed;
  broken["extra"] = 1;
  CHECK_FALSE(schema_violations(broken).empty());
}
#else
TEST_CASE("alerts validate against the JSON Schema") {
  FAIL("valijson is missing: install Debian's libvalijson-dev (scripts/setup) to validate alerts");
}
#endif

}  // namespace
}  // namespace newswatch
