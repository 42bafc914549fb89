#include "feed/detail/url.hpp"

#include <optional>

namespace newswatch::detail {
namespace {

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

// The five components of section 3; an absent component differs from an empty one.
struct UriParts {
  std::optional<std::string_view> scheme;
  std::optional<std::string_view> authority;
  std::string_view path;
  std::optional<std::string_view> query;
  std::optional<std::string_view> fragment;
};

std::size_t scheme_length(std::string_view text) {
  if (text.empty() || !is_alpha(text[0])) return 0;
  for (std::size_t i = 1; i < text.size(); ++i) {
    const char c = text[i];
    if (c == ':') return i;
    if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.') return 0;
  }
  return 0;
}

// Appendix B's regular expression, by hand.
UriParts split(std::string_view text) {
  UriParts parts;
  if (const std::size_t n = scheme_length(text); n > 0) {
    parts.scheme = text.substr(0, n);
    text.remove_prefix(n + 1);
  }
  if (const std::size_t hash = text.find('#'); hash != std::string_view::npos) {
    parts.fragment = text.substr(hash + 1);
    text = text.substr(0, hash);
  }
  if (const std::size_t question = text.find('?'); question != std::string_view::npos) {
    parts.query = text.substr(question + 1);
    text = text.substr(0, question);
  }
  if (text.substr(0, 2) == "//") {
    text.remove_prefix(2);
    const std::size_t slash = text.find('/');
    parts.authority = text.substr(0, slash);
    text = slash == std::string_view::npos ? std::string_view{} : text.substr(slash);
  }
  parts.path = text;
  return parts;
}

// Section 5.2.4.
std::string remove_dot_segments(std::string_view input) {
  std::string output;
  output.reserve(input.size());
  while (!input.empty()) {
    if (input.substr(0, 3) == "../") {
      input.remove_prefix(3);
    } else if (input.substr(0, 2) == "./") {
      input.remove_prefix(2);
    } else if (input.substr(0, 3) == "/./") {
      input.remove_prefix(2);
    } else if (input == "/.") {
      input = "/";
    } else if (input.substr(0, 4) == "/../" || input == "/..") {
      input = input.size() == 3 ? std::string_view("/") : input.substr(3);
      const std::size_t last = output.rfind('/');
      output.resize(last == std::string::npos ? 0 : last);
    } else if (input == "." || input == "..") {
      input = {};
    } else {
      const std::size_t next = input.find('/', 1);
      const std::string_view segment = input.substr(0, next);
      output.append(segment);
      input.remove_prefix(segment.size());
    }
  }
  return output;
}

// Section 5.2.3.
std::string merge_paths(const UriParts& base, std::string_view reference_path) {
  if (base.authority && base.path.empty()) {
    std::string merged(1, '/');
    merged.append(reference_path);
    return merged;
  }
  const std::size_t last = base.path.rfind('/');
  if (last == std::string_view::npos) return std::string(reference_path);
  std::string merged(base.path.substr(0, last + 1));
  merged.append(reference_path);
  return merged;
}

char to_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c; }

// Section 5.3, with section 6.2.2.1's case normalisation: scheme and host in lower case.
std::string recompose(std::string_view scheme, const std::optional<std::string_view>& authority,
                      std::string_view path, const std::optional<std::string_view>& query,
                      const std::optional<std::string_view>& fragment) {
  std::string out;
  out.reserve(scheme.size() + path.size() + 64);
  for (char c : scheme) out.push_back(to_lower(c));
  out.push_back(':');
  if (authority) {
    out.append("//");
    const std::size_t at = authority->rfind('@');
    const std::size_t host_start = at == std::string_view::npos ? 0 : at + 1;
    out.append(authority->substr(0, host_start));
    for (char c : authority->substr(host_start)) out.push_back(to_lower(c));
  }
  out.append(path);
  if (query) out.append("?").append(*query);
  if (fragment) out.append("#").append(*fragment);
  return out;
}

bool has_no_upper_case(std::string_view text) {
  for (char c : text) {
    if (c >= 'A' && c <= 'Z') return false;
  }
  return true;
}

// Whether section 5.3's recomposition would give `reference` back unchanged: lower-case scheme and
// host, and no "." or ".." segment (every such segment starts the path or follows a '/'; "/.x" is
// sent the long way too, which is only slower). Most links in feeds are such absolute URLs.
bool is_normal_absolute(const UriParts& reference) {
  if (!has_no_upper_case(*reference.scheme)) return false;
  if (reference.authority) {
    const std::size_t at = reference.authority->rfind('@');
    if (!has_no_upper_case(reference.authority->substr(at == std::string_view::npos ? 0 : at + 1))) return false;
  }
  const std::string_view path = reference.path;
  return !(path.substr(0, 1) == "." || path.find("/.") != std::string_view::npos);
}

}  // namespace

bool has_scheme(std::string_view reference) { return scheme_length(trim(reference)) > 0; }

std::string resolve_url(std::string_view base_text, std::string_view reference_text) {
  reference_text = trim(reference_text);
  base_text = trim(base_text);
  const UriParts reference = split(reference_text);
  if (reference.scheme) {
    if (is_normal_absolute(reference)) return std::string(reference_text);
    return recompose(*reference.scheme, reference.authority, remove_dot_segments(reference.path),
                     reference.query, reference.fragment);
  }
  const UriParts base = split(base_text);
  if (!base.scheme) return std::string(reference_text);
  if (reference.authority) {
    return recompose(*base.scheme, reference.authority, remove_dot_segments(reference.path), reference.query,
                     reference.fragment);
  }
  if (reference.path.empty()) {
    return recompose(*base.scheme, base.authority, base.path, reference.query ? reference.query : base.query,
                     reference.fragment);
  }
  const std::string path = reference.path.front() == '/'
                               ? remove_dot_segments(reference.path)
                               : remove_dot_segments(merge_paths(base, reference.path));
  return recompose(*base.scheme, base.authority, path, reference.query, reference.fragment);
}

}  // namespace newswatch::detail
