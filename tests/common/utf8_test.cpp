#include "common/utf8.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <tuple>

using namespace newswatch;

TEST_CASE("sanitize_utf8 replaces each maximal ill-formed subpart once") {
  const auto [bytes, expected, replaced] = GENERATE(table<std::string, std::string, std::size_t>({
      {"K\xC3\xB6ln \xF0\x9F\x93\xB0", "K\xC3\xB6ln \xF0\x9F\x93\xB0", 0},
      {"a\xC0\x80z", "a\xEF\xBF\xBD\xEF\xBF\xBDz", 2},                              // overlong NUL
      {"\xED\xA0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD", 3},                  // surrogate
      {"\xF4\x90\x80\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD", 4},  // past U+10FFFF
      {"\xE2\x82", "\xEF\xBF\xBD", 1},                                              // truncated at the end
      {"\xE2\x82x", "\xEF\xBF\xBDx", 1},
      {"\xF0\x9F\x93", "\xEF\xBF\xBD", 1},
      {"\xFF\xFE", "\xEF\xBF\xBD\xEF\xBF\xBD", 2},
      {"\x80", "\xEF\xBF\xBD", 1},
      {"", "", 0},
  }));
  std::size_t count = 99;
  CHECK(sanitize_utf8(bytes, &count) == expected);
  CHECK(count == replaced);
}

TEST_CASE("first_invalid_utf8 finds the first ill-formed byte past long ASCII runs") {
  // The ASCII runs are passed over 32 and 8 bytes at a time: an invalid byte at every offset of the
  // block sizes must still be found where it is.
  for (std::size_t at = 0; at < 80; ++at) {
    std::string text(80, 'a');
    text[at] = '\xFF';
    INFO(at);
    CHECK(first_invalid_utf8(text) == at);
  }
  CHECK(first_invalid_utf8(std::string(100, 'a') + "Ciuc\xC4\x83") == 106);
  CHECK(first_invalid_utf8(std::string(40, 'a') + "\xC4") == 40);  // truncated at the end
}

// The character-by-character walk that first_invalid_utf8 answers quickly: its reference.
std::size_t first_invalid_by_walking(std::string_view text) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t subpart = 0;
    const std::size_t length = utf8_sequence_length(text, pos, &subpart);
    if (length == 0) return pos;
    pos += length;
  }
  return text.size();
}

TEST_CASE("first_invalid_utf8 finds the first ill-formed sequence in long text of other scripts") {
  // Texts long enough for the vector check of the rest, with every kind of ill-formed sequence at
  // every offset: the answer must be where the walk finds it, and the end for valid text.
  const std::string letters = "Москва Ελλάδα 北京 \xF0\x9F\x93\xB0 ";
  std::string valid;
  while (valid.size() < 300) valid += letters;
  CHECK(first_invalid_utf8(valid) == valid.size());
  CHECK(first_invalid_utf8("a" + valid) == valid.size() + 1);
  for (const std::string bad : {"\xFF", "\x80", "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xE2\x82"}) {
    for (std::size_t at = 0; at < 200; ++at) {
      const std::string text = valid.substr(0, at) + bad + valid.substr(at);
      INFO("offset " << at << ", sequence of " << bad.size());
      CHECK(first_invalid_utf8(text) == first_invalid_by_walking(text));
    }
    const std::string at_end = valid + bad;
    CHECK(first_invalid_utf8(at_end) == valid.size());
  }
}
