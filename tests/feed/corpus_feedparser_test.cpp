// Python feedparser's test corpus: each file's leading comment has an `Expect:` line, a Python
// expression over feedparser's result. A small evaluator reads the common shapes (`feed['title'] ==
// u'...'`, `entries[0]['link'] == ...`, `bozo`, `..._parsed == (2003, 12, 31, ...)`, `encoding ==
// ...`) joined by `and`; every other conjunct is counted by why it could not be evaluated.
#include <regex>

#include "corpus_support.hpp"
#include "feed/encoding.hpp"

namespace newswatch::testing {
namespace {

void append_utf8(std::string& out, unsigned long code) {
  if (code < 0x80) {
    out.push_back(static_cast<char>(code));
  } else if (code < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (code >> 6)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
  } else if (code < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (code >> 12)));
    out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (code >> 18)));
    out.push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
  }
}

// A Python literal: a string (u'..', '..', ".." joined by +), an integer tuple, an integer or None.
struct Literal {
  enum class Kind { string, tuple, integer, none } kind = Kind::none;
  std::string text;
  std::vector<long> numbers;
};

class LiteralReader {
 public:
  explicit LiteralReader(std::string_view text) : text_(text) {}

  std::optional<Literal> read() {
    skip_space();
    Literal literal;
    if (peek() == '(') {
      literal.kind = Literal::Kind::tuple;
      ++at_;
      while (true) {
        skip_space();
        if (peek() == ')') {
          ++at_;
          break;
        }
        const auto number = read_integer();
        if (!number) return std::nullopt;
        literal.numbers.push_back(*number);
        skip_space();
        if (peek() == ',') ++at_;
      }
    } else if (text_.substr(at_, 4) == "None") {
      at_ += 4;
    } else if (peek() == '-' || (peek() >= '0' && peek() <= '9')) {
      literal.kind = Literal::Kind::integer;
      const auto number = read_integer();
      if (!number) return std::nullopt;
      literal.numbers.push_back(*number);
    } else {
      literal.kind = Literal::Kind::string;
      while (true) {
        if (!read_string(literal.text)) return std::nullopt;
        skip_space();
        if (peek() != '+') break;
        ++at_;
        skip_space();
      }
    }
    skip_space();
    if (at_ != text_.size()) return std::nullopt;
    return literal;
  }

 private:
  char peek() const { return at_ < text_.size() ? text_[at_] : '\0'; }
  void skip_space() {
    while (at_ < text_.size() && (text_[at_] == ' ' || text_[at_] == '\t')) ++at_;
  }
  std::optional<long> read_integer() {
    std::size_t end = at_;
    if (end < text_.size() && text_[end] == '-') ++end;
    while (end < text_.size() && text_[end] >= '0' && text_[end] <= '9') ++end;
    if (end == at_) return std::nullopt;
    const long value = std::stol(std::string(text_.substr(at_, end - at_)));
    at_ = end;
    return value;
  }
  unsigned long read_hex(std::size_t digits) {
    const unsigned long value = std::stoul(std::string(text_.substr(at_, digits)), nullptr, 16);
    at_ += digits;
    return value;
  }
  bool read_string(std::string& out) {
    if (peek() == 'u' || peek() == 'b') ++at_;
    const char quote = peek();
    if (quote != '\'' && quote != '"') return false;
    ++at_;
    while (at_ < text_.size() && text_[at_] != quote) {
      const char c = text_[at_++];
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      const char escape = text_[at_++];
      switch (escape) {
        case 'n':
          out.push_back('\n');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 'x':
          append_utf8(out, read_hex(2));
          break;
        case 'u':
          append_utf8(out, read_hex(4));
          break;
        case 'U':
          append_utf8(out, read_hex(8));
          break;
        default:
          out.push_back(escape);
      }
    }
    if (at_ >= text_.size()) return false;
    ++at_;
    return true;
  }

  std::string_view text_;
  std::size_t at_ = 0;
};

// Splits at top-level " and " (outside strings and brackets).
std::vector<std::string> conjuncts(std::string_view expression) {
  std::vector<std::string> parts;
  int depth = 0;
  char quote = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i < expression.size(); ++i) {
    const char c = expression[i];
    if (quote) {
      if (c == '\\')
        ++i;
      else if (c == quote)
        quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '(' || c == '[' || c == '{') {
      ++depth;
    } else if (c == ')' || c == ']' || c == '}') {
      --depth;
    } else if (depth == 0 && expression.substr(i, 5) == " and ") {
      parts.emplace_back(expression.substr(start, i - start));
      start = i + 5;
      i += 4;
    }
  }
  parts.emplace_back(expression.substr(start));
  for (std::string& part : parts) {
    part = trim_copy(part);
    if (part.size() > 2 && part.front() == '(' && part.back() == ')') part = part.substr(1, part.size() - 2);
  }
  return parts;
}

struct FeedparserFile {
  std::string expect;
  std::string content_type;
  std::string content_location;
};

FeedparserFile read_header(const std::string& document) {
  FeedparserFile file;
  const std::size_t end = document.find("-->");
  std::istringstream lines(document.substr(0, end == std::string::npos ? 0 : end));
  std::string line;
  while (std::getline(lines, line)) {
    auto value_after = [&](std::string_view key) -> std::optional<std::string> {
      const std::size_t at = line.find(key);
      if (at == std::string::npos) return std::nullopt;
      return trim_copy(line.substr(at + key.size()));
    };
    if (auto expect = value_after("Expect:")) file.expect = *expect;
    if (auto header = value_after("Header:")) {
      const std::size_t colon = header->find(':');
      if (colon == std::string::npos) continue;
      std::string name = header->substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (name == "content-type") file.content_type = trim_copy(header->substr(colon + 1));
      if (name == "content-location") file.content_location = trim_copy(header->substr(colon + 1));
    }
  }
  return file;
}

// feedparser's version names; it tells RSS 0.91 Userland from Netscape and knows 0.93/0.94.
std::string our_version_name(const std::string& feedparser_version) {
  if (feedparser_version.starts_with("rss091")) return "rss091";
  if (feedparser_version == "rss093" || feedparser_version == "rss094") return "rss20";
  return feedparser_version;
}

std::string time_tuple(const std::optional<Instant>& instant) {
  if (!instant) return "None";
  const auto days = std::chrono::floor<std::chrono::days>(*instant);
  const std::chrono::year_month_day date(days);
  const std::chrono::hh_mm_ss time(*instant - days);
  std::ostringstream out;
  out << static_cast<int>(date.year()) << ", " << static_cast<unsigned>(date.month()) << ", "
      << static_cast<unsigned>(date.day()) << ", " << time.hours().count() << ", " << time.minutes().count()
      << ", " << time.seconds().count();
  return out.str();
}

std::string literal_tuple(const Literal& literal) {
  std::ostringstream out;
  for (std::size_t i = 0; i < literal.numbers.size() && i < 6; ++i)
    out << (i ? ", " : "") << literal.numbers[i];
  return out.str();
}

enum class Compare { text, exact, date };

struct Resolved {
  std::string field;  // our field name, for known_deviations.txt
  std::string value;
  Compare compare = Compare::text;
};

const std::regex kPath(R"(^(feed|entries\[(\d+)\])((?:\[['"]\w+['"]\]|\[\d+\]|\.\w+)*)$)");
const std::regex kKey(R"(\[['"](\w+)['"]\]|\[(\d+)\]|\.(\w+))");

// The value at a feedparser result path, in our terms; nullopt with `why` set when we have no such field.
std::optional<Resolved> resolve_path(const std::string& path, const ParsedFeed& parsed, std::string& why) {
  std::smatch match;
  if (!std::regex_match(path, match, kPath)) {
    why = "expression shape";
    return std::nullopt;
  }
  std::vector<std::string> keys;
  const std::string tail = match[3].str();
  for (auto it = std::sregex_iterator(tail.begin(), tail.end(), kKey); it != std::sregex_iterator(); ++it) {
    keys.push_back((*it)[1].matched ? (*it)[1].str() : (*it)[2].matched ? (*it)[2].str() : (*it)[3].str());
  }
  std::string joined;
  for (const std::string& key : keys) joined += (joined.empty() ? "" : ".") + key;
  const Feed& feed = parsed.feed;
  if (match[1] == "feed") {
    if (joined == "title" || joined == "title_detail.value") return Resolved{"feed_title", feed.title};
    if (joined == "link") return Resolved{"feed_link", feed.link, Compare::exact};
    why = "feed field we do not output (" + (keys.empty() ? std::string("?") : keys.front()) + ")";
    return std::nullopt;
  }
  const std::size_t index = std::stoul(match[2].str());
  if (index >= feed.articles.size()) {
    // Still a check: feedparser has this entry and we do not.
    return Resolved{"item_count", "(no entry " + std::to_string(index) + ")", Compare::exact};
  }
  const Article& article = feed.articles[index];
  const std::string& summary_or_content = article.summary.empty() ? article.content : article.summary;
  const std::string& content_or_summary = article.content.empty() ? article.summary : article.content;
  if (joined == "title" || joined == "title_detail.value") return Resolved{"title", article.title};
  if (joined == "link") return Resolved{"link", article.link, Compare::exact};
  if (joined == "id") return Resolved{"id", article.id, Compare::exact};
  if (joined == "summary" || joined == "description" || joined == "summary_detail.value") {
    return Resolved{"summary", summary_or_content};
  }
  if (joined == "content.0.value") return Resolved{"content", content_or_summary};
  if (joined == "published_parsed" || joined == "issued_parsed") {
    return Resolved{"published", time_tuple(article.published), Compare::date};
  }
  if (joined == "updated_parsed" || joined == "modified_parsed") {
    // feedparser 6 answers updated_parsed with the published date when there is no other.
    return Resolved{"updated", time_tuple(article.updated ? article.updated : article.published),
                    Compare::date};
  }
  if (joined == "author" || joined == "author_detail.name" || joined == "authors.0.name") {
    return Resolved{"authors", article.authors.empty() ? std::string() : article.authors.front()};
  }
  if (joined == "tags.0.term" || joined == "category") {
    return Resolved{"categories", article.categories.empty() ? std::string() : article.categories.front()};
  }
  why = "entry field we do not output (" + (keys.empty() ? std::string("?") : keys.front()) + ")";
  return std::nullopt;
}

bool is_bozo(const Result<ParsedFeed, ParseProblem>& result) {
  if (!result) return true;
  for (const ParseProblem& warning : result->warnings) {
    if (warning.kind == ParseErrorKind::malformed || warning.kind == ParseErrorKind::unknown_encoding ||
        warning.kind == ParseErrorKind::bytes_replaced) {
      return true;
    }
  }
  return false;
}

void evaluate(Tally& tally, const std::string& conjunct, const std::string& document,
              const FeedparserFile& file, const Result<ParsedFeed, ParseProblem>& result) {
  if (conjunct == "bozo" || conjunct == "not bozo") {
    tally.check("bozo", conjunct == "bozo" ? "bozo" : "not bozo", is_bozo(result) ? "bozo" : "not bozo");
    return;
  }
  const std::size_t equals = conjunct.find(" == ");
  if (equals == std::string::npos || conjunct.find(" == ", equals + 4) != std::string::npos) {
    return tally.skip("expression shape");
  }
  const std::string left = trim_copy(conjunct.substr(0, equals));
  const auto literal = LiteralReader(conjunct.substr(equals + 4)).read();
  if (!literal) return tally.skip("expression shape");

  if (left == "encoding") {
    const DetectedEncoding encoding = detect_encoding(document, file.content_type);
    std::string expected = literal->text, actual = encoding.name;
    for (std::string* text : {&expected, &actual}) {
      for (char& c : *text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return tally.check("encoding", expected, actual);
  }
  if (!result)
    return tally.check("parse", "ok", to_string(result.error().kind) + (": " + result.error().message));
  if (left == "version") {
    return tally.check("format", our_version_name(literal->text), to_string(result->feed.format));
  }
  std::string why;
  const auto resolved = resolve_path(left, *result, why);
  if (!resolved) return tally.skip(why);
  switch (resolved->compare) {
    case Compare::date:
      if (literal->kind != Literal::Kind::tuple) return tally.skip("expression shape");
      return tally.check(resolved->field, literal_tuple(*literal), resolved->value);
    case Compare::exact:
      if (literal->kind == Literal::Kind::none) return tally.check(resolved->field, "", resolved->value);
      return tally.check(resolved->field, literal->text, resolved->value);
    case Compare::text:
      if (literal->kind != Literal::Kind::string) return tally.skip("expression shape");
      // feedparser keeps sanitised HTML where we give plain text: compare the text of both.
      return tally.check(resolved->field, flat(as_text(literal->text)), flat(resolved->value));
  }
}

TEST_CASE("feedparser corpus: the Expect lines we can evaluate hold for us", "[corpus][feedparser]") {
  Tally tally("feedparser");
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(feeds_dir() / "feedparser")) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() >= 2000);

  for (const auto& path : files) {
    const std::string document = read_file(path);
    const FeedparserFile file = read_header(document);
    if (file.expect.empty()) {
      tally.skip("no Expect line");
      continue;
    }
    const auto result = parse_feed(document, file.content_type, file.content_location);
    tally.begin_file(relative_name(path));
    for (const std::string& conjunct : conjuncts(file.expect))
      evaluate(tally, conjunct, document, file, result);
    tally.end_file();
  }
  WARN(tally.report());
  // Floors just under what the parser reaches, so that a regression fails; every failure must be a
  // deliberate deviation listed, with its reason, in known_deviations.txt.
  CHECK(tally.check_rate() >= 0.95);
  CHECK(tally.file_rate() >= 0.94);
  CHECK(tally.unexplained() == 0);
}

}  // namespace
}  // namespace newswatch::testing
