#pragma once
// What the XML and JSON readers share: article completion, positions, the parse entry points.
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "feed/parser.hpp"

namespace newswatch::detail {

// Fills the id fallback chain (link, then a hash of title + published, plus the text when both are
// missing) and drops a content that merely repeats the summary. Readers call it once per article.
void finish_article(Article& article);

// Appends value unless it is empty, already listed, or the list holds `keep` names. `keep` bounds
// the list (and the quadratic duplicate check): readers pass one past ParseLimits::max_names, so that
// the limiter after parsing sees, counts and drops the excess.
void add_unique(std::vector<std::string>& list, std::string value, std::size_t keep);

// 1-based line and character column of a byte offset in UTF-8 text. CR, LF and CRLF end lines.
void locate(std::string_view text, std::size_t offset, std::size_t& line, std::size_t& column);

// `text` is valid UTF-8. Both readers append warnings and stop adding articles at limits.max_items.
Result<ParsedFeed, ParseProblem> read_xml_feed(std::string text, std::string_view feed_url,
                                               const ParseLimits& limits);
// fast: simdjson where it accepts the document, nlohmann for the rest; reference: nlohmann alone (the
// tests hold the two to the same results).
enum class JsonParser { fast, reference };
Result<ParsedFeed, ParseProblem> read_json_feed(std::string_view text, std::string_view feed_url,
                                                const ParseLimits& limits, JsonParser parser = JsonParser::fast);

}  // namespace newswatch::detail
