// parse_feed's promises, one by one, on small documents written here.
#include "feed/parser.hpp"

#include <catch2/catch.hpp>
#include <string>

#include "feed/article_json.hpp"
#include "feed/date.hpp"
#include "feed/html_text.hpp"

namespace newswatch {
namespace {

ParsedFeed parse_ok(std::string_view document, std::string_view url = "https://example.org/feed.xml",
                    std::string_view content_type = "") {
  auto result = parse_feed(document, content_type, url);
  INFO(document);
  if (!result) FAIL("parse failed: " << result.error().message);
  return std::move(result).value();
}

ParseProblem parse_error(std::string_view document, const ParseLimits& limits = {}) {
  auto result = parse_feed(document, "", "", limits);
  REQUIRE_FALSE(result.ok());
  return result.error();
}

std::string rfc3339(const std::optional<Instant>& instant) {
  return instant ? format_rfc3339(*instant) : "null";
}

TEST_CASE("RSS 2.0 item: every field", "[parser][rss]") {
  const auto parsed = parse_ok(R"(<?xml version="1.0"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Site &amp; News</title><link>https://news.example.com/</link>
<item>
  <title>Caf&eacute; &lt;b&gt;opens&lt;/b&gt;</title>
  <link>/2022/01/cafe</link>
  <guid isPermaLink="false">item-42</guid>
  <pubDate>Fri, 21 Jan 2022 09:30:00 +0100</pubDate>
  <description>&lt;p&gt;First&amp;#160;paragraph &amp;amp; more.&lt;/p&gt;&lt;p&gt;Second.&lt;/p&gt;</description>
  <content:encoded><![CDATA[<p>Full <b>text</b> &amp; more.</p>]]></content:encoded>
  <author>editor@example.com (Ann Editor)</author>
  <dc:creator>Bob Writer</dc:creator>
  <category>Local</category><dc:subject>Food</dc:subject>
</item></channel></rss>)");
  const Feed& feed = parsed.feed;
  CHECK(feed.format == FeedFormat::rss20);
  CHECK(feed.title == "Site & News");
  CHECK(feed.link == "https://news.example.com/");
  REQUIRE(feed.articles.size() == 1);
  const Article& article = feed.articles[0];
  CHECK(article.id == "item-42");
  CHECK(article.title == "Caf\u00e9 opens");
  CHECK(article.link == "https://news.example.com/2022/01/cafe");
  CHECK(rfc3339(article.published) == "2022-01-21T08:30:00Z");
  CHECK_FALSE(article.updated);
  CHECK(article.summary == html_to_text("<p>First&#160;paragraph &amp; more.</p><p>Second.</p>"));
  CHECK(article.summary.starts_with("First"));
  CHECK(article.summary.ends_with("paragraph & more.\n\nSecond."));
  CHECK(article.content == "Full text & more.");
  CHECK(article.authors == std::vector<std::string>{"Ann Editor", "Bob Writer"});
  CHECK(article.categories == std::vector<std::string>{"Local", "Food"});
  CHECK_FALSE(parsed.malformed());
}

TEST_CASE("RSS <ttl>: whole minutes only, anything else absent", "[parser][rss][ttl]") {
  const auto ttl_of = [](std::string_view ttl_element) {
    const std::string document = "<rss version=\"2.0\"><channel><title>T</title>" + std::string(ttl_element) +
                                 "<item><title>a</title></item></channel></rss>";
    return parse_ok(document).feed.ttl;
  };
  CHECK(ttl_of("<ttl>60</ttl>") == std::chrono::minutes(60));
  CHECK(ttl_of("<ttl> 15\n</ttl>") == std::chrono::minutes(15));
  CHECK_FALSE(ttl_of(""));
  CHECK_FALSE(ttl_of("<ttl>0</ttl>"));
  CHECK_FALSE(ttl_of("<ttl>-5</ttl>"));
  CHECK_FALSE(ttl_of("<ttl>1.5</ttl>"));
  CHECK_FALSE(ttl_of("<ttl>60 minutes</ttl>"));
  CHECK_FALSE(ttl_of("<ttl>99999999999</ttl>"));
  CHECK_FALSE(ttl_of("<ttl>20000</ttl>"));  // above a week
}

TEST_CASE("RSS versions and formats are told apart", "[parser][format]") {
  CHECK(parse_ok(R"(<rss version="0.91"><channel/></rss>)").feed.format == FeedFormat::rss091);
  CHECK(parse_ok(R"(<rss version="0.92"><channel/></rss>)").feed.format == FeedFormat::rss092);
  CHECK(parse_ok(R"(<rss version="2.0"><channel/></rss>)").feed.format == FeedFormat::rss20);
  CHECK(
      parse_ok(
          R"(<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"/>)")
          .feed.format == FeedFormat::rss10);
  CHECK(
      parse_ok(
          R"(<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://my.netscape.com/rdf/simple/0.9/"/>)")
          .feed.format == FeedFormat::rss090);
  CHECK(parse_ok(R"(<feed xmlns="http://www.w3.org/2005/Atom"/>)").feed.format == FeedFormat::atom10);
  CHECK(parse_ok(R"(<feed version="0.3" xmlns="http://purl.org/atom/ns#"/>)").feed.format ==
        FeedFormat::atom03);
  CHECK(parse_ok(R"({"version": "https://jsonfeed.org/version/1", "items": []})").feed.format ==
        FeedFormat::json10);
  CHECK(parse_ok(R"({"version": "https://jsonfeed.org/version/1.1", "items": []})").feed.format ==
        FeedFormat::json11);
}

TEST_CASE("RSS 1.0: items beside the channel, namespaces matched by URI not prefix", "[parser][rss10]") {
  const auto parsed = parse_ok(R"(<r:RDF xmlns:r="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
      xmlns:x="http://purl.org/rss/1.0/" xmlns:creator="http://purl.org/dc/elements/1.1/">
  <x:channel r:about="http://example.org/"><x:title>Odd prefixes</x:title><x:link>http://example.org/</x:link></x:channel>
  <x:item r:about="http://example.org/one"><x:title>One</x:title><x:link>http://example.org/one</x:link>
    <creator:date>2003-12-31T10:14:55Z</creator:date><creator:creator>Mark</creator:creator></x:item>
</r:RDF>)");
  CHECK(parsed.feed.title == "Odd prefixes");
  REQUIRE(parsed.feed.articles.size() == 1);
  const Article& article = parsed.feed.articles[0];
  CHECK(article.id == "http://example.org/one");  // rdf:about
  CHECK(article.title == "One");
  CHECK(rfc3339(article.published) == "2003-12-31T10:14:55Z");
  CHECK(article.authors == std::vector<std::string>{"Mark"});
}

TEST_CASE("Atom 1.0 entry: link choice, xml:base, text constructs", "[parser][atom]") {
  const auto parsed =
      parse_ok(R"(<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://blog.example.com/a/">
  <title type="html">&lt;i&gt;My&lt;/i&gt; blog</title>
  <link rel="self" href="/feed.atom"/><link href="./"/>
  <entry xml:base="posts/">
    <title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">Hello <b>world</b></div></title>
    <link rel="enclosure" href="audio.mp3"/>
    <link rel="alternate" type="application/pdf" href="one.pdf"/>
    <link rel="alternate" type="text/html" href="one.html"/>
    <id>tag:example.com,2022:1</id>
    <published>2022-01-21T09:30:00+02:00</published>
    <updated>2022-01-22T00:00:00Z</updated>
    <summary>Plain &amp; simple &lt;not a tag&gt;</summary>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Para one</p><p>Para two</p></div></content>
    <author><name>Jane</name></author><category term="tech" label="Technology"/>
  </entry></feed>)");
  CHECK(parsed.feed.title == "My blog");
  CHECK(parsed.feed.link == "https://blog.example.com/a/");
  REQUIRE(parsed.feed.articles.size() == 1);
  const Article& article = parsed.feed.articles[0];
  CHECK(article.title == "Hello world");
  CHECK(article.link == "https://blog.example.com/a/posts/one.html");
  CHECK(article.id == "tag:example.com,2022:1");
  CHECK(rfc3339(article.published) == "2022-01-21T07:30:00Z");
  CHECK(rfc3339(article.updated) == "2022-01-22T00:00:00Z");
  CHECK(article.summary == "Plain & simple <not a tag>");
  CHECK(article.content == "Para one\n\nPara two");
  CHECK(article.authors == std::vector<std::string>{"Jane"});
  CHECK(article.categories == std::vector<std::string>{"tech"});
}

TEST_CASE("Atom 0.3: issued/modified, escaped and base64 content", "[parser][atom03]") {
  const auto parsed = parse_ok(R"(<feed version="0.3" xmlns="http://purl.org/atom/ns#">
  <entry><title>T</title><link rel="alternate" type="text/html" href="http://example.org/t"/>
    <id>urn:t</id><issued>2003-12-31T10:14:55Z</issued><modified>2004-01-01T00:00:00Z</modified>
    <summary type="text/html" mode="escaped">&lt;p&gt;Sum&lt;/p&gt;</summary>
    <content type="text/html" mode="base64">PHA+Qm9keTwvcD4=</content></entry></feed>)");
  REQUIRE(parsed.feed.articles.size() == 1);
  const Article& article = parsed.feed.articles[0];
  CHECK(article.link == "http://example.org/t");
  CHECK(rfc3339(article.published) == "2003-12-31T10:14:55Z");
  CHECK(rfc3339(article.updated) == "2004-01-01T00:00:00Z");
  CHECK(article.summary == "Sum");
  CHECK(article.content == "Body");
}

TEST_CASE("JSON Feed 1.1: fields, relative URLs, inherited authors, tags once each", "[parser][json]") {
  const auto parsed = parse_ok(R"({"version": "https://jsonfeed.org/version/1.1", "title": "J &amp; F",
    "home_page_url": "https://j.example/", "authors": [{"name": "Feed Author"}],
    "items": [{"id": 7, "url": "/p/7", "title": "Seven", "content_html": "<p>Seven <b>words</b></p>",
               "summary": "Short", "date_published": "2022-01-21T09:30:00Z", "tags": ["a", "b", " a ", "", 3, "b"]},
              {"id": "8", "external_url": "https://other.example/8", "content_text": "Eight",
               "authors": [{"name": "Item Author"}]}]})");
  CHECK(parsed.feed.title == "J & F");
  REQUIRE(parsed.feed.articles.size() == 2);
  const Article& seven = parsed.feed.articles[0];
  CHECK(seven.id == "7");
  CHECK(seven.link == "https://j.example/p/7");
  CHECK(seven.content == "Seven words");
  CHECK(seven.summary == "Short");
  CHECK(rfc3339(seven.published) == "2022-01-21T09:30:00Z");
  CHECK(seven.authors == std::vector<std::string>{"Feed Author"});
  CHECK(seven.categories == std::vector<std::string>{"a", "b"});
  const Article& eight = parsed.feed.articles[1];
  CHECK(eight.link == "https://other.example/8");
  CHECK(eight.content == "Eight");
  CHECK(eight.authors == std::vector<std::string>{"Item Author"});
}

TEST_CASE("id falls back to the link, then to a hash of title and date", "[parser][id]") {
  const auto parsed = parse_ok(R"(<rss version="2.0"><channel>
    <item><title>A</title><link>http://example.org/a</link></item>
    <item><title>B</title><pubDate>Fri, 21 Jan 2022 09:30:00 GMT</pubDate></item>
    <item><title>B</title><pubDate>Fri, 21 Jan 2022 09:30:00 GMT</pubDate></item>
    <item><title>B</title></item>
    <item><guid>http://example.org/permalink</guid></item></channel></rss>)");
  const auto& articles = parsed.feed.articles;
  REQUIRE(articles.size() == 5);
  CHECK(articles[0].id == "http://example.org/a");
  CHECK(articles[1].id.size() == 64);
  CHECK(articles[1].id == articles[2].id);  // same title and date: the same article
  CHECK(articles[3].id != articles[1].id);
  CHECK(articles[4].id == "http://example.org/permalink");
  CHECK(articles[4].link == "http://example.org/permalink");  // guid is a permalink unless it says not
}

TEST_CASE("content that repeats the summary is not kept twice", "[parser][content]") {
  const auto parsed =
      parse_ok(R"(<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
    <item><description>&lt;p&gt;Same text&lt;/p&gt;</description><content:encoded>&lt;p&gt;Same  text&lt;/p&gt;</content:encoded></item>
    <item><content:encoded>Only content</content:encoded></item></channel></rss>)");
  REQUIRE(parsed.feed.articles.size() == 2);
  CHECK(parsed.feed.articles[0].summary == "Same text");
  CHECK(parsed.feed.articles[0].content.empty());
  CHECK(parsed.feed.articles[1].summary.empty());
  CHECK(parsed.feed.articles[1].content == "Only content");
}

TEST_CASE("lenient text: HTML entities and bare ampersands", "[parser][lenient]") {
  const auto parsed = parse_ok(
      "<rss version=\"2.0\"><channel><item><title>Fish & Chips &eacute;t&eacute; "
      "&#8212; AT&amp;T &bogus;</title></item></channel></rss>");
  REQUIRE(parsed.feed.articles.size() == 1);
  CHECK(parsed.feed.articles[0].title == "Fish & Chips \u00e9t\u00e9 \u2014 AT&T &bogus;");
  CHECK_FALSE(parsed.malformed());
}

// The spaces between inline elements and between CDATA sections are text nodes of white space alone;
// a parse that left them out of the tree would run these words together.
TEST_CASE("character data: joined across nodes, with the white space between them", "[parser][text]") {
  const auto rss = parse_ok(R"(<rss version="2.0"><channel><title>T</title>
<item>
  <title><b>Russia</b> <i>NATO</i></title>
  <link>
    https://example.org/a?x=1&amp;y=2
  </link>
  <guid isPermaLink="false">
    <![CDATA[item-7]]>
  </guid>
  <description><![CDATA[Troops]]> <![CDATA[move]]></description>
</item></channel></rss>)");
  REQUIRE(rss.feed.articles.size() == 1);
  const Article& item = rss.feed.articles[0];
  CHECK(item.title == "Russia NATO");
  CHECK(item.link == "https://example.org/a?x=1&y=2");
  CHECK(item.id == "item-7");
  CHECK(item.summary == "Troops move");

  const auto atom = parse_ok(R"(<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
<entry><id>urn:e1</id><title>E</title>
  <summary type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><b>Romania</b> <i>Bulgaria</i></div></summary>
  <author><name> Ann
    Editor </name></author>
</entry></feed>)");
  REQUIRE(atom.feed.articles.size() == 1);
  CHECK(atom.feed.articles[0].summary == "Romania Bulgaria");
  CHECK(atom.feed.articles[0].authors == std::vector<std::string>{"Ann Editor"});
}

TEST_CASE("malformed XML: complete items are kept, the damage is reported with its position",
          "[parser][malformed]") {
  SECTION("document cut off inside the third item") {
    const auto parsed = parse_ok(
        "<rss version=\"2.0\"><channel><title>T</title>\n"
        "<item><title>One</title></item>\n"
        "<item><title>Two</title></item>\n"
        "<item><title>Thr");
    REQUIRE(parsed.malformed());
    std::vector<std::string> titles;
    for (const Article& article : parsed.feed.articles) titles.push_back(article.title);
    CHECK(titles == std::vector<std::string>{"One", "Two"});
  }
  SECTION("a mismatched tag in the middle: libxml2's recovery keeps the items after it") {
    const auto parsed = parse_ok(
        "<rss version=\"2.0\"><channel>\n"
        "<item><title>One</title></item>\n"
        "<item><title>Two</b></title></item>\n"
        "<item><title>Three</title></item>\n"
        "</channel></rss>");
    REQUIRE(parsed.malformed());
    const ParseProblem& problem = parsed.warnings.front();
    CHECK(problem.kind == ParseErrorKind::malformed);
    CHECK(problem.line == 3);
    CHECK(problem.column == 19);  // at the mismatched name
    CHECK(problem.message.find("not well-formed") != std::string::npos);
    REQUIRE(parsed.feed.articles.size() >= 2);
    CHECK(parsed.feed.articles.front().title == "One");
    CHECK(parsed.feed.articles.back().title == "Three");
  }
  SECTION("a document cut off inside a text keeps that text's last character whole") {
    const auto parsed = parse_ok("<rss version=\"2.0\"><channel><title>I\u00f1t\u00ebrn\u00e2");
    CHECK(parsed.malformed());
    CHECK(parsed.feed.title == "I\u00f1t\u00ebrn\u00e2");
  }
  SECTION("columns count characters, not bytes") {
    const auto parsed = parse_ok(
        "<rss version=\"2.0\"><channel>\n<item><title>\u00e9\u00e9\u00e9</x></item></channel></rss>");
    REQUIRE(parsed.malformed());
    CHECK(parsed.warnings.front().line == 2);
    CHECK(parsed.warnings.front().column == 19);  // 22 if bytes were counted
  }
}

TEST_CASE("typed errors: empty, too large, not a feed, broken JSON", "[parser][errors]") {
  CHECK(parse_error("").kind == ParseErrorKind::empty);
  CHECK(parse_error(" \n\t").kind == ParseErrorKind::empty);
  CHECK(parse_error("\xEF\xBB\xBF  ").kind == ParseErrorKind::empty);
  ParseLimits small;
  small.max_bytes = 10;
  CHECK(parse_error("<rss version=\"2.0\"/>", small).kind == ParseErrorKind::too_large);
  CHECK(parse_error("<!DOCTYPE html><html><head><title>x</title></head><body><p>hi</body></html>").kind ==
        ParseErrorKind::not_a_feed);
  CHECK(parse_error("<html><body><br></body></html>").kind == ParseErrorKind::not_a_feed);
  CHECK(parse_error(R"({"name": "not a feed", "items": [1, 2]})").kind == ParseErrorKind::not_a_feed);
  CHECK(parse_error("[1, 2, 3]").kind == ParseErrorKind::not_a_feed);
  const ParseProblem broken =
      parse_error("{\n  \"version\": \"https://jsonfeed.org/version/1\",\n  \"items\": [,]\n}");
  CHECK(broken.kind == ParseErrorKind::malformed);
  CHECK(broken.line == 3);
  CHECK(parse_error(std::string(100000, '[')).kind == ParseErrorKind::malformed);  // no stack exhaustion
  // A number beyond a double's range: nlohmann throws out_of_range, not parse_error (fuzz finding).
  const ParseProblem overflow = parse_error(
      "{\"version\": \"https://jsonfeed.org/version/1.1\",\n \"items\": [{\"id\": \"1\", \"x\": 2e968}]}");
  CHECK(overflow.kind == ParseErrorKind::malformed);
  CHECK(overflow.message.find("2e968") != std::string::npos);
  CHECK(overflow.line == 2);
  CHECK(overflow.column == 29);
  CHECK(parse_error("just some text").kind == ParseErrorKind::not_a_feed);
}

TEST_CASE("markup limit refuses a document whose tree would be too large", "[parser][limits]") {
  ParseLimits limits;
  limits.max_markup = 20;
  std::string tags = "<rss version=\"2.0\"><channel>";  // 2 tags
  for (int i = 0; i < 9; ++i) tags += "<item/>";        // 11
  const std::string fits = tags + "</channel></rss>";   // 13
  CHECK(parse_feed(fits, "", "", limits).ok());
  std::string too_many = tags;
  for (int i = 0; i < 8; ++i) too_many += "<a/>";  // 19, then 21 with the end tags
  too_many += "</channel></rss>";
  const ParseProblem refused = parse_error(too_many, limits);
  CHECK(refused.kind == ParseErrorKind::too_large);
  CHECK(refused.message == "document has 21 XML tags, the limit is 20");

  std::string values = R"({"version": "https://jsonfeed.org/version/1.1", "items": [)";
  for (int i = 0; i < 25; ++i) values += "{},";
  values += "{}]}";
  const ParseProblem json = parse_error(values, limits);
  CHECK(json.kind == ParseErrorKind::too_large);
  CHECK(json.message.find("JSON values, the limit is 20") != std::string::npos);

  // The count runs sixteen bytes at a time with counters summed every 4,080 bytes: a long document
  // with tags at every offset is counted exactly.
  std::string long_document = "<rss version=\"2.0\"><channel>";  // 2
  for (int i = 0; i < 3000; ++i) long_document += i % 3 == 0 ? "<b/> " : "<a/>";  // 3,000
  long_document += "x</channel></rss>";                                       // 2
  CHECK(parse_error(long_document, limits).message == "document has 3004 XML tags, the limit is 20");
  std::string json_values = "[";
  for (int i = 0; i < 2999; ++i) json_values += i % 2 == 0 ? "{}," : "[],";  // 5,998
  json_values += "1]";                                                      // 1 + 5,998 = 5,999
  CHECK(parse_error(json_values, limits).message == "document has 5999 JSON values, the limit is 20");
}

TEST_CASE("item limit truncates and says so", "[parser][limits]") {
  std::string document = "<rss version=\"2.0\"><channel>";
  for (int i = 0; i < 50; ++i) document += "<item><guid>" + std::to_string(i) + "</guid></item>";
  document += "</channel></rss>";
  ParseLimits limits;
  limits.max_items = 10;
  const auto result = parse_feed(document, "", "", limits);
  REQUIRE(result.ok());
  CHECK(result->feed.articles.size() == 10);
  CHECK(result->feed.articles.back().id == "9");
  REQUIRE(result->warnings.size() == 1);
  CHECK(result->warnings[0].kind == ParseErrorKind::truncated);
}

TEST_CASE("billion laughs and XXE expand nothing", "[parser][safety]") {
  std::string laughs = R"(<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<rss version="2.0"><channel><item><title>&lol9;</title><description>&lol9;</description></item></channel></rss>)";
  SECTION("well-formed") {
    const auto parsed = parse_ok(laughs);
    REQUIRE(parsed.feed.articles.size() == 1);
    CHECK(parsed.feed.articles[0].title.size() < 20);
    CHECK(parsed.feed.articles[0].summary.size() < 20);
  }
  SECTION("malformed, so that libxml2's recovery runs too") {
    const auto parsed = parse_ok(laughs + "<broken");
    CHECK(parsed.malformed());
    for (const Article& article : parsed.feed.articles) {
      CHECK(article.title.size() < 20);
      CHECK(article.summary.size() < 20);
    }
  }
  SECTION("external entities are not fetched or read") {
    const char* xxe = R"(<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY net SYSTEM "http://127.0.0.1:1/x">]>
<rss version="2.0"><channel><item><title>&xxe;&net;</title></item></channel></rss>)";
    const auto parsed = parse_ok(xxe);
    REQUIRE(parsed.feed.articles.size() == 1);
    CHECK(parsed.feed.articles[0].title.find("root:") == std::string::npos);
    const auto broken = parse_ok(std::string(xxe) + "<x");
    for (const Article& article : broken.feed.articles)
      CHECK(article.title.find("root:") == std::string::npos);
  }
}

TEST_CASE("encodings: declared, from the header, and broken bytes", "[parser][encoding]") {
  const std::string latin1 =
      "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version=\"2.0\"><channel>"
      "<item><title>Gr\xFC\xDF"
      "e</title></item></channel></rss>";
  CHECK(parse_ok(latin1).feed.articles.at(0).title == "Gr\u00fc\u00dfe");
  const std::string koi8 =
      "<rss version=\"2.0\"><channel><item><title>\xF0\xD2\xC9\xD7\xC5\xD4</title></item></channel></rss>";
  CHECK(parse_ok(koi8, "", "application/rss+xml; charset=KOI8-R").feed.articles.at(0).title ==
        "\u041f\u0440\u0438\u0432\u0435\u0442");
  const auto broken =
      parse_ok("<rss version=\"2.0\"><channel><item><title>bad \xFF byte</title></item></channel></rss>");
  CHECK(broken.feed.articles.at(0).title == "bad \uFFFD byte");
  REQUIRE_FALSE(broken.warnings.empty());
  CHECK(broken.warnings[0].kind == ParseErrorKind::bytes_replaced);
}

TEST_CASE("article_to_json gives the parse line", "[parser][json-line]") {
  const auto parsed = parse_ok(R"(<rss version="2.0"><channel><title>F</title><item><title>T</title>
    <link>http://example.org/t</link><pubDate>Fri, 21 Jan 2022 09:30:00 GMT</pubDate>
    <category>c</category></item></channel></rss>)");
  const nlohmann::json line = article_to_json(parsed.feed, parsed.feed.articles.at(0));
  CHECK(line["feed_title"] == "F");
  CHECK(line["id"] == "http://example.org/t");
  CHECK(line["title"] == "T");
  CHECK(line["link"] == "http://example.org/t");
  CHECK(line["published"] == "2022-01-21T09:30:00Z");
  CHECK(line["updated"].is_null());
  CHECK(line["summary"] == "");
  CHECK(line["content"] == "");
  CHECK(line["authors"] == nlohmann::json::array());
  CHECK(line["categories"] == nlohmann::json::array({"c"}));
  CHECK(line.size() == 10);
}

}  // namespace
}  // namespace newswatch
