#pragma once
// What every fuzz target shares: checks of the promises the public headers make, which must hold for
// any input. A broken promise aborts, so libFuzzer (and the replay executable) reports it as a crash.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "feed/encoding.hpp"

namespace newswatch::fuzz {

[[noreturn]] inline void broken_promise(const char* what, std::string_view value) {
  std::fprintf(stderr, "broken promise: %s (value of %zu bytes: %.*s)\n", what, value.size(),
               static_cast<int>(value.size() < 200 ? value.size() : 200), value.data());
  std::abort();
}

inline void require(bool condition, const char* what, std::string_view value = {}) {
  if (!condition) broken_promise(what, value);
}

// Every text the library hands out is valid UTF-8: sanitising it must change nothing.
inline void require_utf8(std::string_view text, const char* what) {
  std::size_t replaced = 0;
  const std::string clean = sanitize_utf8(text, &replaced);
  require(replaced == 0 && clean == text, what, text);
}

inline std::string_view as_text(const unsigned char* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Splits "<prefix><separator><rest>"; without the separator the whole input is the rest.
struct Split {
  std::string_view head;
  std::string_view rest;
  bool found = false;
};

inline Split split_once(std::string_view input, std::string_view separator) {
  const std::size_t at = input.find(separator);
  if (at == std::string_view::npos) return {{}, input, false};
  return {input.substr(0, at), input.substr(at + separator.size()), true};
}

// Inputs may start with one "Content-Type: <value>\n" line (as an HTTP response would carry); without
// it the whole input is the document, so fixture files serve as seeds unchanged.
struct ContentTypeAndBody {
  std::string_view content_type;
  std::string_view body;
};

inline ContentTypeAndBody take_content_type(std::string_view input) {
  constexpr std::string_view kHeader = "Content-Type: ";
  if (input.substr(0, kHeader.size()) != kHeader) return {{}, input};
  input.remove_prefix(kHeader.size());
  const std::size_t end = input.find('\n');
  if (end == std::string_view::npos) return {input, {}};
  return {input.substr(0, end), input.substr(end + 1)};
}

}  // namespace newswatch::fuzz
