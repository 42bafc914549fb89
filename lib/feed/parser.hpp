#pragma once
// Feed documents (RSS 0.90-2.0, RSS 1.0/RDF, Atom 0.3/1.0, JSON Feed 1.0/1.1) to a Feed of Articles.
//
// Pure and thread-compatible: no I/O, no global state, no network; any number of threads may call
// parse_feed at once. The result owns all its data (nothing points into the input bytes).
//
// Leniency: a malformed document still yields every item that parsed completely, and the problem is
// reported as a warning with its line and column. Safety: no DTD is processed and no entity is
// expanded except the predefined XML ones, character references and HTML's named entities, so
// billion-laughs and XXE documents produce no expansion; input size and item count are bounded.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "feed/article.hpp"

namespace newswatch {

// Every allocation the document drives is bounded: the document by max_bytes, then each article's
// fields by these caps, so that what reaches the matcher, the alert and Kafka has a known size.
// A field over its cap is cut (or dropped, where a cut value would be wrong) and counted in
// ParsedFeed::fields_truncated, with one field_truncated warning per feed.
struct ParseLimits {
  std::size_t max_bytes = std::size_t{16} << 20;  // larger documents are refused (too_large)
  std::size_t max_items = 10000;                  // further items are dropped (truncated warning)
  // Markup: XML '<' characters (elements, comments, CDATA sections), or JSON '{', '[' and ','
  // (values). The parsers build a tree of about 70 bytes per node, so a document of tiny elements
  // ("<a/>" 4 million times in 16 MiB) would take over 300 MiB; more markup than this is refused
  // (too_large). A feed of max_items items of 50 elements each stays well inside it.
  std::size_t max_markup = 1'000'000;
  // Titles (the feed's and each article's), author names and categories: cut at a UTF-8 boundary.
  std::size_t max_title_bytes = 4096;
  // Summary and content, each: cut at a UTF-8 boundary.
  std::size_t max_text_bytes = std::size_t{1} << 20;
  // Links: a longer one is dropped, since a cut URL points somewhere else (8000 bytes is what
  // RFC 9110 section 4.1 asks every HTTP implementation to handle). Ids: a longer one is replaced by
  // its hex SHA-256, which stays unique and stable.
  std::size_t max_link_bytes = 8000;
  // Authors and categories per article, each list: the first ones are kept.
  std::size_t max_names = 100;
};

enum class ParseErrorKind {
  empty,             // no bytes, or only white space
  too_large,         // more than ParseLimits::max_bytes, or more markup than ParseLimits::max_markup
  not_a_feed,        // an HTML page, unrelated XML or JSON
  malformed,         // not well-formed; as a warning, the items before the damage were kept
  truncated,         // warning: more than ParseLimits::max_items items
  bytes_replaced,    // warning: bytes that were not valid in the document's encoding became U+FFFD
  unknown_encoding,  // warning: the declared encoding is unknown; the bytes were read as UTF-8
  field_truncated,   // warning: fields over a ParseLimits cap were cut (ParsedFeed::fields_truncated)
};

const char* to_string(ParseErrorKind kind);

struct ParseProblem {
  ParseErrorKind kind = ParseErrorKind::malformed;
  std::string message;  // says what, e.g. "end tag </item> does not match <title>"
  // Position in the original document, 1-based; 0 when the problem has no position. The column
  // counts characters (not bytes), so it means the same whatever the document's encoding.
  std::size_t line = 0;
  std::size_t column = 0;
};

struct ParsedFeed {
  Feed feed;
  std::vector<ParseProblem> warnings;  // problems that did not stop parsing
  // Fields cut or dropped by a ParseLimits cap (a list over max_names counts once): for a counter.
  std::size_t fields_truncated = 0;

  bool malformed() const;  // a `malformed` warning is present (Python feedparser's "bozo")
};

// `content_type` is the HTTP Content-Type header (its charset is used when the document does not
// declare one; may be empty). `feed_url` is where the document came from (the last base for relative
// links; may be empty).
//
// Articles: see feed/article.hpp. Choices where the formats leave room:
// - summary / content: where a feed gives both, both are kept; when they have the same text only the
//   summary is kept (content is left empty) so that nothing is matched twice. Neither is invented
//   from the other: a consumer wanting "the text" takes content, else summary.
// - link: RSS <link>, else a guid that is a URL and not isPermaLink="false"; Atom the rel="alternate"
//   (or rel-less) link, text/html first. Relative links resolve (RFC 3986) against the element's
//   xml:base chain, which starts at: for RSS the channel's link (items are pages of the site), for
//   Atom the document's URL (RFC 4287), or its rel="self" link when `feed_url` is empty; for JSON
//   Feed the home_page_url. Scheme and host are lower-cased, nothing else is rewritten.
// - id: guid / atom:id / JSON id as written (not resolved); else rdf:about (RSS 1.0); else the link;
//   else the hex SHA-256 of title + published (plus the text when both are missing).
// - published / updated: the first readable date of each kind; updated stays absent unless the
//   feed has a modification date (RSS pubDate and dc:date are publication dates).
// - authors: names only ("jo@example.com (Jo)" gives "Jo"); JSON Feed items inherit the feed's
//   authors as its spec says; Atom entries do not inherit the feed's author.
// - categories: RSS category, dc:subject, Atom term (label when there is no term), JSON tags;
//   duplicates dropped.
Result<ParsedFeed, ParseProblem> parse_feed(std::string_view bytes, std::string_view content_type,
                                            std::string_view feed_url, const ParseLimits& limits = {});
// parse_feed of bytes the caller gives up: a document that is already valid UTF-8 without a byte
// order mark (most are) is then parsed where it lies instead of in a copy.
Result<ParsedFeed, ParseProblem> parse_owned_feed(std::string bytes, std::string_view content_type,
                                                  std::string_view feed_url, const ParseLimits& limits = {});

}  // namespace newswatch
