// RFC 3986 section 5.4's reference resolution examples, and what feeds add to them.
#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

#include "feed/detail/url.hpp"

namespace newswatch::detail {
namespace {

TEST_CASE("RFC 3986 5.4.1 normal examples", "[parser][url]") {
  const char* base = "http://a/b/c/d;p?q";
  const std::pair<const char*, const char*> examples[] = {
      {"g:h", "g:h"},
      {"g", "http://a/b/c/g"},
      {"./g", "http://a/b/c/g"},
      {"g/", "http://a/b/c/g/"},
      {"/g", "http://a/g"},
      {"//g", "http://g"},
      {"?y", "http://a/b/c/d;p?y"},
      {"g?y", "http://a/b/c/g?y"},
      {"#s", "http://a/b/c/d;p?q#s"},
      {"g#s", "http://a/b/c/g#s"},
      {"g?y#s", "http://a/b/c/g?y#s"},
      {";x", "http://a/b/c/;x"},
      {"g;x", "http://a/b/c/g;x"},
      {"g;x?y#s", "http://a/b/c/g;x?y#s"},
      {"", "http://a/b/c/d;p?q"},
      {".", "http://a/b/c/"},
      {"./", "http://a/b/c/"},
      {"..", "http://a/b/"},
      {"../", "http://a/b/"},
      {"../g", "http://a/b/g"},
      {"../..", "http://a/"},
      {"../../", "http://a/"},
      {"../../g", "http://a/g"},
  };
  for (const auto& [reference, expected] : examples) CHECK(resolve_url(base, reference) == expected);
}

TEST_CASE("RFC 3986 5.4.2 abnormal examples", "[parser][url]") {
  const char* base = "http://a/b/c/d;p?q";
  const std::pair<const char*, const char*> examples[] = {
      {"../../../g", "http://a/g"},
      {"../../../../g", "http://a/g"},
      {"/./g", "http://a/g"},
      {"/../g", "http://a/g"},
      {"g.", "http://a/b/c/g."},
      {".g", "http://a/b/c/.g"},
      {"g..", "http://a/b/c/g.."},
      {"..g", "http://a/b/c/..g"},
      {"./../g", "http://a/b/g"},
      {"./g/.", "http://a/b/c/g/"},
      {"g/./h", "http://a/b/c/g/h"},
      {"g/../h", "http://a/b/c/h"},
      {"g;x=1/./y", "http://a/b/c/g;x=1/y"},
      {"g;x=1/../y", "http://a/b/c/y"},
      {"g?y/./x", "http://a/b/c/g?y/./x"},
      {"g?y/../x", "http://a/b/c/g?y/../x"},
      {"g#s/./x", "http://a/b/c/g#s/./x"},
      {"g#s/../x", "http://a/b/c/g#s/../x"},
      {"http:g", "http:g"},  // strict parsers, as section 5.2.2 says
  };
  for (const auto& [reference, expected] : examples) CHECK(resolve_url(base, reference) == expected);
}

TEST_CASE("absolute references: kept as written when already normal, normalised otherwise", "[parser][url]") {
  const std::string base = "http://a/b/c/d;p?q";
  const std::vector<std::pair<std::string, std::string>> examples = {
      {"https://example.org/news/2022/01/russia-nato?id=7#top", "https://example.org/news/2022/01/russia-nato?id=7#top"},
      {"https://user:PW@example.org:8080/A/B", "https://user:PW@example.org:8080/A/B"},
      {"HTTPS://example.org/a", "https://example.org/a"},
      {"https://Example.org/a", "https://example.org/a"},
      {"https://User@EXAMPLE.org/a", "https://User@example.org/a"},
      {"https://example.org/a/./b/../c", "https://example.org/a/c"},
      {"https://example.org/a/..", "https://example.org/"},
      {"https://example.org/.well-known/x", "https://example.org/.well-known/x"},
      {"https://example.org/a/.hidden/b", "https://example.org/a/.hidden/b"},
      {"https://example.org?x=/./y#/../z", "https://example.org?x=/./y#/../z"},
      {"https://example.org", "https://example.org"},
      {"mailto:Someone@Example.org", "mailto:Someone@Example.org"},
      {"urn:a/./b", "urn:a/b"},
      {"urn:./b", "urn:b"},
      {"tag:example.org,2022:/russia", "tag:example.org,2022:/russia"},
  };
  for (const auto& [reference, expected] : examples) {
    INFO(reference);
    CHECK(resolve_url(base, reference) == expected);
    CHECK(resolve_url("", "  " + reference + "\n") == expected);
  }
}

TEST_CASE("feed quirks: white space, no base, host case, empty base path", "[parser][url]") {
  CHECK(resolve_url("https://example.org/feed", "  /a b  \n") == "https://example.org/a b");
  CHECK(resolve_url("", "relative/link") == "relative/link");
  CHECK(resolve_url("", "HTTPS://Example.ORG/Path") == "https://example.org/Path");
  CHECK(resolve_url("https://user@Example.org", "x") == "https://user@example.org/x");
  CHECK(resolve_url("https://example.org", "?page=2") == "https://example.org?page=2");
  CHECK(resolve_url("urn:isbn:123", "x") == "urn:x");
  CHECK(has_scheme("mailto:a@b"));
  CHECK_FALSE(has_scheme("/path:with:colons"));
  CHECK_FALSE(has_scheme("1abc:x"));
}

}  // namespace
}  // namespace newswatch::detail
