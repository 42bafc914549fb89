// JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1).
#include <simdjson.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>

#include "feed/date.hpp"
#include "feed/detail/parse_common.hpp"
#include "feed/detail/url.hpp"
#include "feed/encoding.hpp"
#include "feed/html_text.hpp"

namespace newswatch::detail {
namespace {

using nlohmann::json;

// nlohmann's parser recurses once per nesting level; a document of nothing but '[' would exhaust
// the stack, so nesting is bounded before parsing. Real feeds nest four or five levels.
constexpr std::size_t kMaxJsonDepth = 256;

bool nesting_within(std::string_view text, std::size_t max_depth) {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return false;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return true;
}

// The reader is written once over two parsers. simdjson parses a document several times faster than
// nlohmann, whose lexer builds every token a byte at a time (the 61 JSON Feeds among the 2,706
// fixture files cost about 6 % of parsing them all). But simdjson refuses some documents nlohmann
// reads (a byte order mark) and says nothing of where an error is. So simdjson reads what it can, and
// anything it refuses goes to nlohmann, which reads it or reports the error with its position: the
// result is nlohmann's in every case. Both views answer the few questions the reader asks.

// nlohmann's view. Duplicate keys: the last one's value is kept, as nlohmann keeps it.
struct NlohmannValue {
  const json* value;

  bool is_object() const { return value->is_object(); }
  bool is_array() const { return value->is_array(); }
  std::optional<NlohmannValue> find(const char* key) const {
    const auto it = value->find(key);
    if (it == value->end()) return std::nullopt;
    return NlohmannValue{&*it};
  }
  // A string, or an integer written as one (ids are sometimes numbers); otherwise empty.
  std::string text() const {
    if (value->is_string()) return value->get<std::string>();
    if (value->is_number_integer()) return std::to_string(value->get<long long>());
    return {};
  }
  bool is_string() const { return value->is_string(); }
  template <typename Visit>
  void for_each(Visit&& visit) const {
    for (const json& element : *value) visit(NlohmannValue{&element});
  }
};

// simdjson's view: the same answers as NlohmannValue's for every document simdjson accepts.
struct SimdValue {
  simdjson::dom::element value;

  bool is_object() const { return value.is_object(); }
  bool is_array() const { return value.is_array(); }
  std::optional<SimdValue> find(const char* key) const {
    // simdjson keeps every duplicate and its lookup answers the first; nlohmann keeps the last.
    std::optional<SimdValue> found;
    if (!value.is_object()) return found;
    const simdjson::dom::object object = value.get_object().value_unsafe();  // a view of the tape
    for (const auto field : object) {
      if (field.key == key) found = SimdValue{field.value};
    }
    return found;
  }
  std::string text() const {
    switch (value.type()) {
      case simdjson::dom::element_type::STRING:
        return std::string(value.get_string().value_unsafe());
      case simdjson::dom::element_type::INT64:
        return std::to_string(value.get_int64().value_unsafe());
      case simdjson::dom::element_type::UINT64:  // past INT64_MAX: nlohmann's get<long long> wraps
        return std::to_string(static_cast<long long>(value.get_uint64().value_unsafe()));
      default:
        return {};
    }
  }
  bool is_string() const { return value.type() == simdjson::dom::element_type::STRING; }
  template <typename Visit>
  void for_each(Visit&& visit) const {
    if (!value.is_array()) return;
    const simdjson::dom::array array = value.get_array().value_unsafe();
    for (const simdjson::dom::element element : array) visit(SimdValue{element});
  }
};

template <typename Value>
std::string string_member(const Value& object, const char* key) {
  const auto member = object.find(key);
  return member ? member->text() : std::string{};
}

template <typename Value>
std::optional<Instant> date_member(const Value& object, const char* key) {
  const std::string text = string_member(object, key);
  if (text.empty()) return std::nullopt;
  return parse_feed_date(text);
}

// JSON Feed titles are plain text by the spec, yet WordPress writes them with HTML entities.
std::string plain_text(const std::string& text) {
  return collapse_whitespace(text.find('&') == std::string::npos ? text : decode_entities(text));
}

// `keep` bounds the list (and the quadratic duplicate check): one past ParseLimits::max_names, so
// that the limiter after parsing sees, counts and drops the excess.
template <typename Value>
void add_author(const Value& author, std::vector<std::string>& authors, std::size_t keep) {
  if (!author.is_object() || authors.size() >= keep) return;
  std::string name = plain_text(string_member(author, "name"));
  if (name.empty()) return;
  for (const std::string& existing : authors) {
    if (existing == name) return;
  }
  authors.push_back(std::move(name));
}

template <typename Value>
void add_authors(const Value& object, std::vector<std::string>& authors, std::size_t keep) {
  if (const auto list = object.find("authors"); list && list->is_array()) {
    list->for_each([&](const Value& author) { add_author(author, authors, keep); });
  }
  if (const auto author = object.find("author")) add_author(*author, authors, keep);  // 1.0
}

template <typename Value>
Article read_item(const Value& item, std::string_view base, const std::vector<std::string>& feed_authors,
                  std::size_t keep) {
  Article article;
  article.id = collapse_whitespace(string_member(item, "id"));
  article.title = plain_text(string_member(item, "title"));
  std::string url = string_member(item, "url");
  if (url.empty()) url = string_member(item, "external_url");
  if (!url.empty()) article.link = resolve_url(base, url);
  article.published = date_member(item, "date_published");
  article.updated = date_member(item, "date_modified");
  // The spec's summary is plain text, but publishers put HTML in it as often as not.
  article.summary = html_to_text(string_member(item, "summary"));
  if (const std::string html = string_member(item, "content_html"); !html.empty()) {
    article.content = html_to_text(html);
  } else {
    article.content = collapse_whitespace(string_member(item, "content_text"));
  }
  add_authors(item, article.authors, keep);
  // JSON Feed 1.1: "If not specified in an item, then the top-level authors ... are the authors of the item."
  if (article.authors.empty()) article.authors = feed_authors;
  if (const auto tags = item.find("tags"); tags && tags->is_array()) {
    tags->for_each([&](const Value& tag) {
      if (tag.is_string()) add_unique(article.categories, collapse_whitespace(tag.text()), keep);
    });
  }
  finish_article(article);
  return article;
}

template <typename Value>
Result<ParsedFeed, ParseProblem> read_document(const Value& document, std::string_view feed_url,
                                               const ParseLimits& limits) {
  const std::string version = document.is_object() ? string_member(document, "version") : std::string{};
  // The spec's version is a jsonfeed.org URL; generators also write "1.0" or "1.1". Any other JSON
  // is not a feed.
  std::optional<Value> items;
  if (document.is_object()) items = document.find("items");
  const bool has_items = items.has_value() && items->is_array();
  const bool is_feed = version.find("jsonfeed.org/version/") != std::string::npos ||
                       ((version == "1" || version == "1.0" || version == "1.1") && has_items);
  if (!is_feed) {
    return ParseProblem{ParseErrorKind::not_a_feed, "JSON document without a jsonfeed.org version"};
  }

  ParsedFeed parsed;
  Feed& feed = parsed.feed;
  const bool version_1_0 = version.ends_with("/1") || version == "1" || version == "1.0";
  feed.format = version_1_0 ? FeedFormat::json10 : FeedFormat::json11;
  feed.title = plain_text(string_member(document, "title"));
  std::vector<std::string> feed_authors;
  const std::size_t keep = limits.max_names + (limits.max_names < SIZE_MAX ? 1 : 0);
  add_authors(document, feed_authors, keep);
  std::string base(feed_url);
  if (base.empty()) base = string_member(document, "feed_url");
  if (const std::string home = string_member(document, "home_page_url"); !home.empty()) {
    feed.link = resolve_url(base, home);
  }
  // Item URLs are relative to the site, as a browser showing the feed would take them.
  const std::string item_base = has_scheme(feed.link) ? feed.link : base;

  if (!has_items) return parsed;
  bool full = false;
  items->for_each([&](const Value& item) {
    if (full || !item.is_object()) return;
    if (feed.articles.size() >= limits.max_items) {
      parsed.warnings.push_back({ParseErrorKind::truncated, "more than " + std::to_string(limits.max_items) +
                                                                " items; the rest dropped"});
      full = true;
      return;
    }
    feed.articles.push_back(read_item(item, item_base, feed_authors, keep));
  });
  return parsed;
}

// Larger documents go to nlohmann: simdjson's parser keeps buffers sized by the largest document it
// has read, and one is kept per thread. JSON Feeds are a few to a few hundred kilobytes.
constexpr std::size_t kMaxFastBytes = std::size_t{1} << 20;

}  // namespace

Result<ParsedFeed, ParseProblem> read_json_feed(std::string_view text, std::string_view feed_url,
                                                const ParseLimits& limits, JsonParser parser) {
  if (!nesting_within(text, kMaxJsonDepth)) {
    return ParseProblem{ParseErrorKind::malformed,
                        "JSON nests deeper than " + std::to_string(kMaxJsonDepth) + " levels"};
  }
  // An empty text has no data pointer, which simdjson would copy from; nlohmann reports it.
  if (parser == JsonParser::fast && !text.empty() && text.size() <= kMaxFastBytes) {
    thread_local simdjson::dom::parser fast;
    simdjson::dom::element document;
    if (fast.parse(text.data(), text.size()).get(document) == simdjson::SUCCESS)
      return read_document(SimdValue{document}, feed_url, limits);
  }
  json document;
  try {
    document = json::parse(text.begin(), text.end());
  } catch (const json::parse_error& error) {
    // nlohmann reports errors only as exceptions; they end here, as a value.
    // Its message quotes the bytes last read, which may end inside a UTF-8 sequence.
    ParseProblem problem{ParseErrorKind::malformed, "JSON: " + sanitize_utf8(error.what())};
    locate(text, error.byte > 0 ? error.byte - 1 : 0, problem.line, problem.column);
    return problem;
  } catch (const json::exception& error) {
    // A number beyond a double's range ("2e968") is reported as out_of_range, without a byte offset;
    // the message quotes the number, which locates it.
    ParseProblem problem{ParseErrorKind::malformed, "JSON: " + sanitize_utf8(error.what())};
    const std::string_view message = error.what();
    const std::size_t quote = message.find('\'');
    const std::size_t close = quote == std::string_view::npos ? quote : message.find('\'', quote + 1);
    if (close != std::string_view::npos && close > quote + 1) {
      const std::size_t at = text.find(message.substr(quote + 1, close - quote - 1));
      if (at != std::string_view::npos) locate(text, at, problem.line, problem.column);
    }
    return problem;
  }
  return read_document(NlohmannValue{&document}, feed_url, limits);
}

}  // namespace newswatch::detail
