#include "alert/alert.hpp"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <set>

#include "common/sha256.hpp"
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

using Json = nlohmann::ordered_json;  // insertion order: the schema's order, the same every time

// Caps a field at `limit` bytes on a UTF-8 boundary and notes the cut under `what`.
std::string capped(std::string_view text, std::size_t limit, const char* what,
                   std::set<std::string>& truncated) {
  const std::string_view kept = utf8_prefix(text, limit);
  if (kept.size() < text.size()) truncated.insert(what);
  return std::string(kept);
}

Json optional_time(const std::optional<Instant>& instant) {
  if (!instant) return nullptr;
  return format_rfc3339(*instant);
}

Json match_json(const Match& match, const AlertLimits& limits, std::set<std::string>& truncated) {
  Json out;
  out["kind"] = to_string(match.kind);
  out["name"] = match.name;
  out["term"] = match.term;
  out["field"] = to_string(match.field);
  out["start"] = match.start;
  out["end"] = match.end;
  out["snippet"] = capped(match.snippet, limits.max_snippet_bytes, "snippets", truncated);
  return out;
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
  std::set<std::string> truncated;

  Json matches = Json::array();
  for (const Match& match : result.matches) {
    if (matches.size() >= limits.max_matches) break;
    matches.push_back(match_json(match, limits, truncated));
  }
  if (result.truncated || result.matches.size() > matches.size()) truncated.insert("matches");

  Json article_json;
  article_json["id"] = capped(article.id, limits.max_url_bytes, "id", truncated);
  article_json["title"] = capped(article.title, limits.max_title_bytes, "title", truncated);
  article_json["link"] = capped(article.link, limits.max_url_bytes, "link", truncated);
  article_json["published"] = optional_time(article.published);
  article_json["updated"] = optional_time(article.updated);
  article_json["summary"] = capped(article.summary, limits.max_summary_bytes, "summary", truncated);

  Json feed_json;
  feed_json["url"] = capped(feed.url, limits.max_url_bytes, "feed", truncated);
  feed_json["title"] = capped(feed.title, limits.max_url_bytes, "feed", truncated);

  Json watchlists_json = Json::array();
  for (const WatchlistInfo& watchlist : watchlists) {
    watchlists_json.push_back(
        Json{{"name", watchlist.name}, {"file", watchlist.file}, {"version", watchlist.version}});
  }

  Json json;
  json["schema"] = kAlertSchema;
  json["alert_id"] = alert.id;
  json["detected_at"] = format_rfc3339(detected_at);
  json["severity"] = to_string(alert.severity);
  json["rules"] = result.rules;
  json["actors"] = distinct_names(result.matches, MatchKind::actor);
  json["keyword_groups"] = distinct_names(result.matches, MatchKind::keyword);
  json["match_count"] = result.total_matches;
  alert.truncated.assign(truncated.begin(), truncated.end());
  json["truncated"] = alert.truncated;
  json["matches"] = std::move(matches);
  json["article"] = std::move(article_json);
  json["feed"] = std::move(feed_json);
  json["watchlists"] = std::move(watchlists_json);
  // Invalid UTF-8 from a feed becomes U+FFFD instead of an exception.
  alert.json = json.dump(-1, ' ', false, Json::error_handler_t::replace);
  return alert;
}

}  // namespace newswatch
