#include "alert/alert.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>

#include "common/sha256.hpp"
#include "common/utf8.hpp"
#include "feed/date.hpp"
#include "match/text_windows.hpp"

namespace newswatch {
namespace {

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), ascii_lower);
  return out;
}

// RFC 3986 section 3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
std::size_t scheme_length(std::string_view url) {
  if (url.empty() || !std::isalpha(static_cast<unsigned char>(url[0]))) return 0;
  std::size_t i = 1;
  while (i < url.size() && (std::isalnum(static_cast<unsigned char>(url[i])) || url[i] == '+' ||
                            url[i] == '-' || url[i] == '.')) {
    ++i;
  }
  return i < url.size() && url[i] == ':' ? i : 0;
}

bool is_tracking_parameter(std::string_view parameter) {
  return parameter.size() >= 4 && lowercase(parameter.substr(0, 4)) == "utm_";
}

std::string without_tracking_parameters(std::string_view query) {
  std::string kept;
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view parameter = query.substr(0, amp);
    if (!parameter.empty() && !is_tracking_parameter(parameter)) {
      if (!kept.empty()) kept += '&';
      kept += parameter;
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return kept;
}

}  // namespace

std::string normalize_link(std::string_view url) {
  const std::size_t scheme = scheme_length(url);
  if (scheme == 0 || url.substr(scheme, 3) != "://") return std::string(url);
  url = url.substr(0, url.find('#'));
  const std::size_t authority_start = scheme + 3;
  std::size_t authority_end = authority_start;
  while (authority_end < url.size() && url[authority_end] != '/' && url[authority_end] != '?') ++authority_end;
  std::string_view authority = url.substr(authority_start, authority_end - authority_start);
  // Only the host is case-insensitive (RFC 3986 section 3.2.2), not the user information before '@'.
  const std::size_t at = authority.rfind('@');
  const std::size_t host_start = authority_start + (at == std::string_view::npos ? 0 : at + 1);
  // Built in place: the link is kept as it is but for these, and dedup makes one of these an article.
  std::string out;
  out.reserve(url.size());  // one allocation: the result is never longer than the link
  out.append(url.substr(0, authority_end));
  std::transform(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(scheme), out.begin(), ascii_lower);
  std::transform(out.begin() + static_cast<std::ptrdiff_t>(host_start), out.end(),
                 out.begin() + static_cast<std::ptrdiff_t>(host_start), ascii_lower);
  const std::string_view rest = url.substr(authority_end);
  const std::size_t question = rest.find('?');
  out += rest.substr(0, question);
  if (question != std::string_view::npos) {
    const std::string query = without_tracking_parameters(rest.substr(question + 1));
    if (!query.empty()) out.append(1, '?').append(query);
  }
  return out;
}

std::string article_identity(const Article& article, std::string_view feed_url) {
  if (!article.link.empty()) return normalize_link(article.link);
  return std::string(feed_url) + " " + article.id;
}

namespace {

// The alert written straight into its string, in the schema's order. nlohmann's ordered tree (an
// allocation for every key and value) and its serializer (a UTF-8 state machine for every byte) cost
// about 180,000 instructions an alert; this writes the same bytes for a small part of that. Text that
// is not valid UTF-8 (rare: the parser repairs documents, the matcher cuts on character boundaries)
// is still escaped by nlohmann, so that its U+FFFD replacements stay exactly what they were.
class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }
  // `name` is one of the schema's names, which need no escapes.
  void key(std::string_view name) {
    comma();
    out_ += '"';
    out_ += name;
    out_ += "\":";
    need_comma_ = false;
  }
  void member(std::string_view name, std::string_view text) {
    key(name);
    value(text);
  }
  void member(std::string_view name, std::size_t number) {
    key(name);
    value(number);
  }
  void value(std::string_view text) {
    comma();
    quoted(text);
    need_comma_ = true;
  }
  void value(std::size_t number) {
    comma();
    char digits[24];
    const auto [end, error] = std::to_chars(digits, digits + sizeof digits, number);
    out_.append(digits, end);
    need_comma_ = true;
  }
  void null() {
    comma();
    out_ += "null";
    need_comma_ = true;
  }
  void strings(const std::vector<std::string>& texts) {
    begin_array();
    for (const std::string& text : texts) value(text);
    end_array();
  }

 private:
  void comma() {
    if (need_comma_) out_ += ',';
  }
  void open(char bracket) {
    comma();
    out_ += bracket;
    need_comma_ = false;
  }
  void close(char bracket) {
    out_ += bracket;
    need_comma_ = true;
  }

  // Eight bytes that need no look: no control character, quote, backslash or byte of a multi-byte
  // character (the bit tricks are exact for "some byte is", which is all that is asked).
  static bool plain_ascii(const char* p) {
    std::uint64_t x;
    std::memcpy(&x, p, sizeof x);
    constexpr std::uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
    const auto has_zero = [](std::uint64_t v) { return (v - kOnes) & ~v & kHigh; };
    const std::uint64_t below_space = (x - kOnes * 0x20) & ~x & kHigh;
    return ((x & kHigh) | below_space | has_zero(x ^ (kOnes * '"')) | has_zero(x ^ (kOnes * '\\'))) == 0;
  }

  // RFC 8259 escapes as nlohmann writes them: the two-letter forms where JSON has one, "u00" and two
  // lower-case hex digits after the backslash for the other control characters, everything else (DEL
  // and all of UTF-8) as it is. UTF-8 is checked on the way.
  void quoted(std::string_view text) {
    const std::size_t start = out_.size();
    out_ += '"';
    const char* data = text.data();
    const std::size_t size = text.size();
    std::size_t run = 0;  // start of the bytes not yet copied
    std::size_t i = 0;
    while (i < size) {
      while (i + 8 <= size && plain_ascii(data + i)) i += 8;
      if (i == size) break;
      const auto byte = static_cast<unsigned char>(data[i]);
      if (byte >= 0x80) {
        std::size_t subpart = 0;
        const std::size_t length = utf8_sequence_length(text, i, &subpart);
        if (length == 0) {
          out_.resize(start);
          out_ += nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
          return;
        }
        i += length;
        continue;
      }
      if (byte >= 0x20 && byte != '"' && byte != '\\') {
        ++i;
        continue;
      }
      out_.append(data + run, i - run);
      run = ++i;
      switch (byte) {
        case '"':
          out_ += "\\\"";
          break;
        case '\\':
          out_ += "\\\\";
          break;
        case '\b':
          out_ += "\\b";
          break;
        case '\t':
          out_ += "\\t";
          break;
        case '\n':
          out_ += "\\n";
          break;
        case '\f':
          out_ += "\\f";
          break;
        case '\r':
          out_ += "\\r";
          break;
        default: {
          constexpr char kHex[] = "0123456789abcdef";
          const char escape[] = {'\\', 'u', '0', '0', kHex[byte >> 4], kHex[byte & 0xF]};
          out_.append(escape, sizeof escape);
        }
      }
    }
    out_.append(data + run, size - run);
    out_ += '"';
  }

  std::string& out_;
  bool need_comma_ = false;
};

// A field cut to `limit` bytes on a UTF-8 boundary; the cut is noted under `what`.
std::string_view capped(std::string_view text, std::size_t limit, const char* what,
                        std::set<std::string>& truncated) {
  const std::string_view kept = utf8_prefix(text, limit);
  if (kept.size() < text.size()) truncated.insert(what);
  return kept;
}

void optional_time(JsonWriter& json, const std::optional<Instant>& instant) {
  if (instant) {
    json.value(format_rfc3339(*instant));
  } else {
    json.null();
  }
}

std::vector<std::string> distinct_names(const std::vector<Match>& matches, MatchKind kind) {
  std::set<std::string> names;
  for (const Match& match : matches) {
    if (match.kind == kind) names.insert(match.name);
  }
  return {names.begin(), names.end()};
}

}  // namespace

std::optional<Alert> build_alert(const Article& article, const FeedInfo& feed, const MatchResult& result,
                                 const std::vector<WatchlistInfo>& watchlists, Instant detected_at,
                                 const AlertLimits& limits) {
  if (!result.alerts()) return std::nullopt;
  Alert alert;
  alert.id = sha256_hex(article_identity(article, feed.url));
  alert.severity = result.severity.value_or(Severity::low);

  // Everything is cut first: "truncated" comes before the fields it describes.
  std::set<std::string> truncated;
  const std::size_t kept_matches = std::min(result.matches.size(), limits.max_matches);
  std::vector<std::string_view> snippets;
  snippets.reserve(kept_matches);
  for (std::size_t i = 0; i < kept_matches; ++i) {
    snippets.push_back(capped(result.matches[i].snippet, limits.max_snippet_bytes, "snippets", truncated));
  }
  if (result.truncated || result.matches.size() > kept_matches) truncated.insert("matches");
  const std::string_view id = capped(article.id, limits.max_url_bytes, "id", truncated);
  const std::string_view title = capped(article.title, limits.max_title_bytes, "title", truncated);
  const std::string_view link = capped(article.link, limits.max_url_bytes, "link", truncated);
  const std::string_view summary = capped(article.summary, limits.max_summary_bytes, "summary", truncated);
  const std::string_view feed_url = capped(feed.url, limits.max_url_bytes, "feed", truncated);
  const std::string_view feed_title = capped(feed.title, limits.max_url_bytes, "feed", truncated);
  alert.truncated.assign(truncated.begin(), truncated.end());

  std::size_t size = 1024 + id.size() + title.size() + link.size() + summary.size() + feed_url.size() +
                     feed_title.size();
  for (std::size_t i = 0; i < kept_matches; ++i) {
    size += 96 + snippets[i].size() + result.matches[i].term.size();
  }
  alert.json.reserve(size);
  JsonWriter json(alert.json);
  json.begin_object();
  json.member("schema", kAlertSchema);
  json.member("alert_id", alert.id);
  json.member("detected_at", format_rfc3339(detected_at));
  json.member("severity", to_string(alert.severity));
  json.key("rules");
  json.strings(result.rules);
  json.key("actors");
  json.strings(distinct_names(result.matches, MatchKind::actor));
  json.key("keyword_groups");
  json.strings(distinct_names(result.matches, MatchKind::keyword));
  json.member("match_count", result.total_matches);
  json.key("truncated");
  json.strings(alert.truncated);
  json.key("matches");
  json.begin_array();
  for (std::size_t i = 0; i < kept_matches; ++i) {
    const Match& match = result.matches[i];
    json.begin_object();
    json.member("kind", to_string(match.kind));
    json.member("name", match.name);
    json.member("term", match.term);
    json.member("field", to_string(match.field));
    json.member("start", match.start);
    json.member("end", match.end);
    json.member("snippet", snippets[i]);
    json.end_object();
  }
  json.end_array();
  json.key("article");
  json.begin_object();
  json.member("id", id);
  json.member("title", title);
  json.member("link", link);
  json.key("published");
  optional_time(json, article.published);
  json.key("updated");
  optional_time(json, article.updated);
  json.member("summary", summary);
  json.end_object();
  json.key("feed");
  json.begin_object();
  json.member("url", feed_url);
  json.member("title", feed_title);
  json.end_object();
  json.key("watchlists");
  json.begin_array();
  for (const WatchlistInfo& watchlist : watchlists) {
    json.begin_object();
    json.member("name", watchlist.name);
    json.member("file", watchlist.file);
    json.member("version", watchlist.version);
    json.end_object();
  }
  json.end_array();
  json.end_object();
  return alert;
}

}  // namespace newswatch
