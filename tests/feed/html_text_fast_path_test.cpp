// The fast path of html_to_text must give what libxml2 gives for everything it accepts: held against
// each other on every title, summary and content of the fixture corpus, and on generated markup.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>
#include <random>
#include <string>
#include <vector>

#include "feed/encoding.hpp"
#include "feed/html_text.hpp"
#include "fixtures.hpp"

namespace newswatch {
namespace {

using html_text_paths::holds_no_text;
using html_text_paths::libxml_markup_to_text;
using html_text_paths::simple_markup_to_text;

bool is_text_element(std::string_view name) {
  const std::size_t colon = name.rfind(':');
  if (colon != std::string_view::npos) name = name.substr(colon + 1);
  for (std::string_view wanted :
       {"title", "description", "summary", "content", "encoded", "subtitle", "tagline", "info", "body"}) {
    if (name == wanted) return true;
  }
  return false;
}

// The character data directly inside each title/summary/content-like element: what a feed parser
// hands to html_to_text for escaped HTML.
void collect_xml_texts(const pugi::xml_node& node, std::vector<std::string>& out) {
  for (const pugi::xml_node& child : node.children()) {
    if (child.type() != pugi::node_element) continue;
    if (is_text_element(child.name())) {
      std::string text;
      for (const pugi::xml_node& part : child.children()) {
        if (part.type() == pugi::node_pcdata || part.type() == pugi::node_cdata) text += part.value();
      }
      if (!text.empty()) out.push_back(std::move(text));
    }
    collect_xml_texts(child, out);
  }
}

void collect_json_texts(const nlohmann::json& value, std::vector<std::string>& out) {
  if (value.is_object()) {
    for (const auto& [key, item] : value.items()) {
      if (item.is_string() && (key == "content_html" || key == "content_text" || key == "summary" ||
                               key == "title" || key == "description")) {
        out.push_back(item.get<std::string>());
      } else {
        collect_json_texts(item, out);
      }
    }
  } else if (value.is_array()) {
    for (const auto& item : value) collect_json_texts(item, out);
  }
}

std::vector<std::string> corpus_texts() {
  std::vector<std::string> texts;
  const auto root = testing::shared_dir() / "fixtures" / "feeds";
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    const std::string bytes = testing::read_file(entry.path());
    if (entry.path().extension() == ".json") {
      const auto json = nlohmann::json::parse(bytes, nullptr, /*allow_exceptions=*/false);
      if (!json.is_discarded()) collect_json_texts(json, texts);
      continue;
    }
    pugi::xml_document document;
    if (document.load_buffer(bytes.data(), bytes.size(), pugi::parse_default | pugi::parse_cdata)) {
      collect_xml_texts(document, texts);
    }
  }
  return texts;
}

struct Comparison {
  std::size_t with_markup = 0;
  std::size_t accepted = 0;
  std::size_t different = 0;
  std::string first_difference;
  std::size_t without_text = 0;  // inputs holds_no_text accepts
};

void compare(const std::string& raw, Comparison& result) {
  const std::string html = sanitize_utf8(raw);
  if (html.find('<') == std::string::npos) return;
  ++result.with_markup;
  if (holds_no_text(html)) {
    ++result.without_text;
    const std::string expected = libxml_markup_to_text(html);
    if (!expected.empty() && result.different++ == 0) {
      result.first_difference = "input: " + html + "\nlibxml2: " + expected + "\nholds_no_text: true";
    }
  }
  const auto fast = simple_markup_to_text(html);
  if (!fast) return;
  ++result.accepted;
  const std::string expected = libxml_markup_to_text(html);
  if (*fast == expected) return;
  if (result.different++ == 0) {
    result.first_difference = "input: " + html + "\nlibxml2: " + expected + "\nfast: " + *fast;
  }
}

}  // namespace

TEST_CASE("the fast path equals libxml2 on every text of the fixture corpus", "[html_text][fast_path]") {
  const std::vector<std::string> texts = corpus_texts();
  REQUIRE(texts.size() > 2000);
  Comparison result;
  for (const std::string& text : texts) compare(text, result);
  INFO(result.first_difference);
  CHECK(result.different == 0);
  // It must carry real weight: most markup in feeds is simple.
  INFO("texts " << texts.size() << ", with markup " << result.with_markup << ", accepted "
                << result.accepted);
  CHECK(result.with_markup > 500);
  CHECK(result.accepted * 2 > result.with_markup);
  CHECK(result.without_text > 20);  // the sanitiser tests' empty elements, SVG drawings
}

TEST_CASE("the fast path equals libxml2 on generated markup", "[html_text][fast_path]") {
  // Pieces that the fast path accepts, next to pieces that it must refuse or that change the tree.
  const std::vector<std::string> pieces = {"<p>",
                                           "</p>",
                                           "<div>",
                                           "</div>",
                                           "<b>",
                                           "</b>",
                                           "<i>",
                                           "</i>",
                                           "<a href=\"http://x/?a=1\">",
                                           "</a>",
                                           "<ul>",
                                           "</ul>",
                                           "<ol>",
                                           "</ol>",
                                           "<li>",
                                           "</li>",
                                           "<br>",
                                           "<br/>",
                                           "<br />",
                                           "<h2>",
                                           "</h2>",
                                           "<blockquote>",
                                           "</blockquote>",
                                           "<span class='x'>",
                                           "</span>",
                                           "<em>",
                                           "</em>",
                                           "<P>",
                                           "</P>",
                                           "<strong title=\"t\">",
                                           "</strong>",
                                           "<font color=red>",
                                           "</font>",
                                           "<table>",
                                           "<td>",
                                           "<pre>",
                                           "</pre>",
                                           "<script>",
                                           "<script>if (a < b) x();</script>",
                                           "<script type=\"text/javascript\">w('</p>')</script>",
                                           "<SCRIPT>y</SCRIPT >",
                                           "</script>",
                                           "<style>p { color: red }</style>",
                                           "<script>w('</b>')</script>",
                                           "<style>/* </p> */</style>",
                                           "<style>",
                                           "<script/>",
                                           "</img>",
                                           "</IMG >",
                                           "<meta name=\"x\">",
                                           "</meta>",
                                           "<link rel=\"a\"/>",
                                           "<input>",
                                           "<param name=\"p\">",
                                           "<iframe src=\"x\">",
                                           "</iframe>",
                                           "<iframe/>",
                                           "<applet>",
                                           "</applet>",
                                           "<embed src=\"e\">",
                                           "<!-- c -->",
                                           "<!---->",
                                           "<!-- a -- b -->",
                                           "<img src=\"x\">",
                                           "<img/>",
                                           "<hr>",
                                           "</br>",
                                           "<p/>",
                                           "<u>",
                                           "</u>",
                                           "<sup>",
                                           "</sup>",
                                           "<del>",
                                           "</del>",
                                           "<section>",
                                           "</section>",
                                           "<article class=\"a\">",
                                           "</article>",
                                           "<header>",
                                           "</header>",
                                           "<mark>",
                                           "</mark>",
                                           "<textarea></textarea>",
                                           "<textarea>",
                                           "</textarea>",
                                           "<title></title>",
                                           "<noscript></noscript>",
                                           "<script></script >",
                                           "<dd></dd>",
                                           "<select><option></option></select>",
                                           "<svg width=\"3px\"><circle r=\"5\" /></svg>",
                                           "<img src=x alt=\"a<br>b\">",
                                           "<a href=http://x/>",
                                           "<a\nhref='y'\n>",
                                           "<x-y:z></x-y:z>",
                                           "<b c>",
                                           "</b c>",
                                           "<b c=>",
                                           "<b c=\"1\"d=\"2\">",
                                           "<!DOCTYPE html>",
                                           "<?pi x?>",
                                           "\f",
                                           "word",
                                           "two words",
                                           " ",
                                           "  ",
                                           "\n",
                                           "\r\n",
                                           "\t",
                                           "&amp;",
                                           "&eacute;",
                                           "&nbsp;",
                                           "&#8212;",
                                           "&#x41;",
                                           "&#150;",
                                           "&#1;",
                                           "&apos;",
                                           "&bogus;",
                                           "& ",
                                           "&amp",
                                           "a < b",
                                           "x > y",
                                           "Caf\xC3\xA9",
                                           "\xC2\xA0",
                                           "tr\xC3\xA8s",
                                           "\xE2\x80\x94",
                                           ".",
                                           "end."};
  std::mt19937 random(7);
  Comparison result;
  for (int round = 0; round < 20000; ++round) {
    std::string html;
    const int count = 1 + static_cast<int>(random() % 12);
    for (int k = 0; k < count; ++k) html += pieces[random() % pieces.size()];
    if (html.find('<') == std::string::npos) html += "<b>x</b>";
    compare(html, result);
  }
  INFO(result.first_difference);
  CHECK(result.different == 0);
  CHECK(result.accepted > 300);
  CHECK(result.without_text > 300);
}

// Well-nested markup from the elements the fast path knows, with now and then a piece that breaks a
// rule (an element closing early, a list holding text), so both sides of every rule are exercised.
void nested_markup(std::mt19937& random, int depth, std::string& out) {
  static const std::vector<std::string> texts = {"word",   " two words ", " ",        "\n",
                                                 "\r\n\t", "&amp;",       "&nbsp;",   "&#8212;",
                                                 "&#x41;", "Caf\xC3\xA9", "\xC2\xA0", "x > y"};
  static const std::vector<std::string> elements = {
      "p",  "div",        "b",    "i",      "a",      "ul",   "ol",   "li",     "h3",
      "h1", "blockquote", "span", "em",     "strong", "u",    "q",    "font",   "small",
      "s",  "tt",         "big",  "strike", "code",   "cite", "abbr", "figure", "figcaption",
      "sup", "sub", "mark", "time", "del", "ins", "var", "kbd", "samp", "dfn", "acronym", "bdo",
      "section", "article", "header", "footer", "aside", "nav", "main", "pre", "iframe", "object",
      "video", "blink", "embed"};
  const int count = 1 + static_cast<int>(random() % 4);
  for (int k = 0; k < count; ++k) {
    const unsigned choice = random() % 10;
    if (choice < 4 || depth > 4) {
      out += texts[random() % texts.size()];
    } else if (choice == 3 && depth < 3) {
      // A table: sometimes with a section, sometimes with a stray piece in its structure.
      const bool section = random() % 2;
      out += random() % 2 ? "<table>" : "<table class=\"t\">\n";
      if (section) out += "<tbody>";
      for (int row = 0, rows = 1 + static_cast<int>(random() % 3); row < rows; ++row) {
        out += "<tr>";
        if (random() % 8 == 0) out += random() % 2 ? " " : "x";
        for (int cell = 0, cells = 1 + static_cast<int>(random() % 3); cell < cells; ++cell) {
          const char* name = random() % 4 == 0 ? "th" : "td";
          out += std::string("<") + name + ">";
          nested_markup(random, depth + 1, out);
          out += std::string("</") + name + ">";
        }
        out += random() % 3 == 0 ? "</tr>\n" : "</tr>";
      }
      if (section) out += "</tbody>";
      out += "</table>";
    } else if (choice == 4) {
      const char* voids[] = {"<br>",   "<br />",     "<img src=\"a.png?x=1&amp;y=2\">",
                             "<img/>", "<!-- c -->", "<img src=\"b\"></img>",
                             "<script>var a = '<b>';</script>", "<style>b {}</style>",
                             "<meta name=\"m\">", "<link rel=\"l\"></link>", "<input/>", "<area>"};
      out += voids[random() % 12];
    } else {
      const std::string& name = elements[random() % elements.size()];
      out += "<" + name + (random() % 3 == 0 ? " class=\"c\">" : ">");
      nested_markup(random, depth + 1, out);
      out += "</" + name + ">";
    }
  }
}

TEST_CASE("the fast path equals libxml2 on generated nested markup", "[html_text][fast_path]") {
  std::mt19937 random(11);
  Comparison result;
  for (int round = 0; round < 40000; ++round) {
    std::string html;
    nested_markup(random, 0, html);
    if (html.find('<') == std::string::npos) html += "<b>x</b>";
    compare(html, result);
  }
  INFO(result.first_difference);
  CHECK(result.different == 0);
  CHECK(result.accepted > 2000);
}

TEST_CASE("markup of tags and white space alone is known to hold no text", "[html_text][fast_path]") {
  for (const char* html : {"<dd></dd>", "<tr></tr>", "<event-source></event-source>", "<br>\n<hr/>",
                           "<textarea></textarea>", "<SCRIPT></script>", "<p class=\"a\" id=b></p>",
                           "<img src=\"x\" alt=\"cat<br />dog\">",
                           "<svg width=\"300px\"><circle cx=\"150px\" r=\"50px\" /></svg>"}) {
    INFO(html);
    CHECK(holds_no_text(html));
    CHECK(libxml_markup_to_text(html).empty());
    CHECK(html_to_text(html).empty());
  }
  for (const char* html :
       {"<b>x</b>", "<p>&nbsp;</p>", "<!-- c -->", "<!DOCTYPE html>", "<?x?>", "<b c=\"1\"d>", "<b c=\"open>",
        "</b c>", "<textarea> </textarea>", "<script>x</script>", "<title>t</title>", "<script></scripts>",
        "<b>\f</b>", "< b>", "<b", "plain", ""}) {
    INFO(html);
    CHECK_FALSE(holds_no_text(html));
  }
}

TEST_CASE("the fast path reads simple markup and refuses what it cannot prove equal",
          "[html_text][fast_path]") {
  CHECK(simple_markup_to_text("<p>Caf&eacute; &amp; K&ouml;ln &#8212;</p>") == "Café & Köln —");
  CHECK(simple_markup_to_text("<b>a</b> <i>b</i>") == "a b");
  // Text before any tag sits in libxml2's implied <p>, which the <div> closes: a blank line.
  CHECK(simple_markup_to_text("Hello<div>x</div>") == "Hello\n\nx");
  CHECK(simple_markup_to_text("<ul><li>one</li><li>two</li></ul>after") == "one\ntwo\n\nafter");
  CHECK(simple_markup_to_text("line<br>break<br/>again") == "line\nbreak\nagain");
  CHECK_FALSE(simple_markup_to_text("<p>a<div>b</div></p>"));  // libxml2 closes the <p> early
  CHECK_FALSE(simple_markup_to_text("<b>a<p>b</p></b>"));      // and the <b> here
  CHECK(simple_markup_to_text("<span>a<div>b</div></span>") == "a\nb");
  CHECK(simple_markup_to_text("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>") == "a b\nc");
  CHECK_FALSE(simple_markup_to_text("<table><tr>x<td>a</td></tr></table>"));  // text in a row
  CHECK_FALSE(simple_markup_to_text("<script>x</script>"));  // libxml2 puts it in an implied <head>
  CHECK(simple_markup_to_text("safe<script>location.href='/'</script> description") == "safe description");
  CHECK(simple_markup_to_text("<p>a</p><style>p { x: y }</style><p>b</p>") == "a\n\nb");
  CHECK_FALSE(simple_markup_to_text("<p>a<script>x</p>"));                 // never closed
  CHECK_FALSE(simple_markup_to_text("<p>a<script>x</scripts></script></p>"));  // libxml2 stops at </scripts
  CHECK_FALSE(simple_markup_to_text("<p>a<style></p>b</style>c</p>"));  // libxml2 ends the style at </p>
  CHECK(simple_markup_to_text("<p><img src=\"x\"></img>a</p>") == "a");
  CHECK(simple_markup_to_text("a<br></br>b") == "a\nb");
  CHECK(simple_markup_to_text("</br>a<div>b</div>") == "a\n\nb");  // still text before any tag
  CHECK_FALSE(simple_markup_to_text(std::string("<a href=\"h\0z\">x</a> y", 21)));  // libxml2 stops at the NUL
  CHECK_FALSE(simple_markup_to_text("\xEF\xBB\xBF<b>x</b>"));  // libxml2 drops the byte order mark
  CHECK(simple_markup_to_text("<p>x</p><pre>a  b\n\n\n  c</pre>") == "x\n\na b\n\nc");
  CHECK_FALSE(simple_markup_to_text("<pre>a<ul><li>b</li></ul></pre>"));  // libxml2 closes the <pre>
  CHECK(simple_markup_to_text("<p>a<b>b"));  // left open: closed by the end of the input, in libxml2 too
  CHECK_FALSE(simple_markup_to_text("a &bogus; b"));  // libxml2 keeps it as written
  CHECK_FALSE(simple_markup_to_text("<p>&#150;</p>"));
  CHECK_FALSE(simple_markup_to_text("<font color=red>x</font>"));  // an unquoted value
  CHECK(simple_markup_to_text("<!-- c --><p>x</p>") == "x");
  CHECK(simple_markup_to_text("a<img src=\"x\"> <b>b</b>") == "a b");
  CHECK_FALSE(simple_markup_to_text("<!-- a -- b --><p>x</p>"));
}

}  // namespace newswatch
