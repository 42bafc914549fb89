// Character normalisation and classes used by both terms and texts.
#include "match/detail/normalize.hpp"

#include <utf8proc.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <random>
#include <string>

namespace newswatch::match_detail {
namespace {

std::u32string normalized(char32_t cp, bool fold = true) {
  char32_t out[kMaxNormalizedLength];
  const std::size_t count = normalize_char(cp, fold, out);
  return std::u32string(out, count);
}

TEST_CASE("normalize_char applies NFKD, drops marks, folds case", "[normalize]") {
  CHECK(normalized(U'A') == U"a");
  CHECK(normalized(U'A', false) == U"A");
  CHECK(normalized(U'ă') == U"a");
  CHECK(normalized(U'Ă', false) == U"A");
  CHECK(normalized(0x0306).empty());  // combining breve (Mn)
  CHECK(normalized(0x0903).empty());  // Devanagari visarga (Mc)
  CHECK(normalized(0x20DD).empty());  // enclosing circle (Me)
  CHECK(normalized(U'ß') == U"ss");
  CHECK(normalized(U'ß', false) == U"ß");
  CHECK(normalized(0x1E9E) == U"ss");  // capital sharp s
  CHECK(normalized(0xFB01) == U"fi");
  CHECK(normalized(0xFB01, false) == U"fi");
  CHECK(normalized(U'Д') == U"д");
  CHECK(normalized(U'Ή') == U"η");
  CHECK(normalized(0x0130) == U"i");  // İ: NFKD gives I + dot above, the mark drops, I folds
  CHECK(normalized(0x00A0) == U" ");  // NBSP is a compatibility space
  CHECK(normalized(0x2011) == U"\u2010");
  CHECK(normalized(0x00BD) == U"1\u20442");
  CHECK(normalized(0xFDFA).size() == 18);  // the longest NFKD expansion there is
  CHECK(normalized(kInvalidByte) == std::u32string(1, kInvalidByte));
}

TEST_CASE("classify follows the separator and letter-or-digit rules", "[normalize]") {
  for (char32_t cp : {U' ',
                      U'\t',
                      U'\n',
                      U'\v',
                      U'\f',
                      U'\r',
                      U'-',
                      char32_t{0x85},
                      char32_t{0xA0},
                      char32_t{0x1680},
                      char32_t{0x2000},
                      char32_t{0x200A},
                      char32_t{0x2010},
                      char32_t{0x2011},
                      char32_t{0x2012},
                      char32_t{0x2013},
                      char32_t{0x2014},
                      char32_t{0x2015},
                      char32_t{0x2028},
                      char32_t{0x2029},
                      char32_t{0x202F},
                      char32_t{0x205F},
                      char32_t{0x3000}}) {
    INFO("U+" << std::hex << static_cast<unsigned>(cp));
    CHECK(classify(cp) == CharKind::kSeparator);
  }
  for (char32_t cp : {U'a', U'Z', U'0', U'9', U'ß', U'д', U'ω', U'²', U'Ⅻ', U'中', char32_t{0x02B0}}) {
    INFO("U+" << std::hex << static_cast<unsigned>(cp));
    CHECK(classify(cp) == CharKind::kWord);
  }
  for (char32_t cp : {U'\'', U'’', U'.', U'_', U'*', U'«', U'€', char32_t{0x2016}, char32_t{0x200B},
                      char32_t{0x1C}, char32_t{0x0301}, kInvalidByte}) {
    INFO("U+" << std::hex << static_cast<unsigned>(cp));
    CHECK(classify(cp) == CharKind::kOther);
  }
}

// Normalising each character on its own must equal normalising the whole string (what the rule says),
// because canonical reordering only moves the marks that are dropped afterwards.
TEST_CASE("per-character normalisation equals whole-string normalisation", "[normalize]") {
  const std::u32string alphabet =
      U"aAzZ09 -ßẞĂăa\u0306\u0301\u0323\u0345ΆΉάΐΰﬁﬀ½²ⅫİıДдЁё\u00A0\u2011NATOﾊﾟ한글ǅǆŉǰ";
  std::mt19937 rng(7);
  for (int round = 0; round < 500; ++round) {
    std::u32string text;
    const int length = std::uniform_int_distribution<int>(1, 12)(rng);
    for (int i = 0; i < length; ++i) {
      text.push_back(alphabet[std::uniform_int_distribution<std::size_t>(0, alphabet.size() - 1)(rng)]);
    }
    std::string utf8;
    std::u32string per_char;
    for (char32_t cp : text) {
      append_utf8(cp, utf8);
      per_char += normalized(cp);
    }
    utf8proc_int32_t buffer[1024];
    const utf8proc_ssize_t length_nfkd = utf8proc_decompose(
        reinterpret_cast<const utf8proc_uint8_t*>(utf8.data()), static_cast<utf8proc_ssize_t>(utf8.size()),
        buffer, 1024, static_cast<utf8proc_option_t>(UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE));
    REQUIRE(length_nfkd >= 0);
    std::u32string whole;
    for (utf8proc_ssize_t i = 0; i < length_nfkd; ++i) {
      const auto category = utf8proc_category(buffer[i]);
      if (category == UTF8PROC_CATEGORY_MN || category == UTF8PROC_CATEGORY_MC ||
          category == UTF8PROC_CATEGORY_ME) {
        continue;
      }
      utf8proc_int32_t folded[4];
      int unused = 0;
      const auto folded_length = utf8proc_decompose_char(buffer[i], folded, 4, UTF8PROC_CASEFOLD, &unused);
      for (utf8proc_ssize_t k = 0; k < folded_length; ++k) whole.push_back(static_cast<char32_t>(folded[k]));
    }
    INFO("text: " << utf8);
    CHECK(per_char == whole);
  }
}

TEST_CASE("append_utf8 encodes, and marks an invalid byte with a byte UTF-8 never has", "[normalize]") {
  std::string out;
  append_utf8(U'a', out);
  append_utf8(U'ă', out);
  append_utf8(U'€', out);
  append_utf8(0x1F600, out);
  append_utf8(kInvalidByte, out);
  CHECK(out == "aă€\U0001F600\xFF");
}

TEST_CASE("append_utf8 encodes every code point as utf8proc_encode_char does", "[normalize]") {
  int differences = 0;
  for (char32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    utf8proc_uint8_t expected[4];
    const auto length = utf8proc_encode_char(static_cast<utf8proc_int32_t>(cp), expected);
    std::string actual;
    append_utf8(cp, actual);
    const std::string_view expected_bytes(reinterpret_cast<const char*>(expected),
                                          static_cast<std::size_t>(length));
    differences += actual == expected_bytes ? 0 : 1;
  }
  CHECK(differences == 0);
}

// decode_utf8 replaces utf8proc_iterate on the scanning path, so it must judge every sequence alike.
std::size_t utf8proc_length(const unsigned char* bytes, std::size_t size, char32_t& cp) {
  utf8proc_int32_t decoded = -1;
  const utf8proc_ssize_t n = utf8proc_iterate(bytes, static_cast<utf8proc_ssize_t>(size), &decoded);
  if (n <= 0) return 0;
  cp = static_cast<char32_t>(decoded);
  return static_cast<std::size_t>(n);
}

// Returns 1 when the two decoders disagree about bytes[0, size) (Catch's REQUIRE per input would
// dominate the test's time: there are 17 million inputs).
int decoders_disagree(const unsigned char* bytes, std::size_t size) {
  char32_t expected_cp = 0, actual_cp = 0;
  const std::size_t expected = utf8proc_length(bytes, size, expected_cp);
  const std::size_t actual = decode_utf8(bytes, size, actual_cp);
  return actual != expected || (expected != 0 && actual_cp != expected_cp) ? 1 : 0;
}

TEST_CASE("decode_utf8 judges every sequence as utf8proc_iterate does", "[normalize]") {
  // Every one-, two- and three-byte input, each also cut short; four-byte inputs for every lead byte
  // >= 0xF0 with every second byte and a spread of third and fourth bytes.
  unsigned char bytes[4];
  std::size_t checked = 0, valid_four = 0;
  int disagreements = 0;
  for (unsigned a = 0; a < 256; ++a) {
    bytes[0] = static_cast<unsigned char>(a);
    disagreements += decoders_disagree(bytes, 1);
    for (unsigned b = 0; b < 256; ++b) {
      bytes[1] = static_cast<unsigned char>(b);
      disagreements += decoders_disagree(bytes, 2);
      for (unsigned c = 0; c < 256; ++c) {
        bytes[2] = static_cast<unsigned char>(c);
        disagreements += decoders_disagree(bytes, 3);
        ++checked;
        if (a < 0xF0 || (c != 0x80 && c != 0xBF && c != 0x7F && c != 0xC0)) continue;
        for (unsigned d : {0x00u, 0x7Fu, 0x80u, 0x9Fu, 0xBFu, 0xC0u, 0xFFu}) {
          bytes[3] = static_cast<unsigned char>(d);
          disagreements += decoders_disagree(bytes, 4);
          char32_t cp = 0;
          valid_four += decode_utf8(bytes, 4, cp) == 4;
        }
      }
    }
  }
  CHECK(disagreements == 0);
  CHECK(checked == 256u * 256u * 256u);
  CHECK(valid_four > 0);
  const unsigned char euro[] = {0xE2, 0x82, 0xAC};
  char32_t cp = 0;
  CHECK(decode_utf8(euro, 3, cp) == 3);
  CHECK(cp == 0x20AC);
  CHECK(decode_utf8(euro, 2, cp) == 0);  // cut short
}

TEST_CASE("normalize_char's shortcut gives what utf8proc's decomposition gives, for every code point",
          "[normalize]") {
  // The shortcut answers from the property record for code points with nothing to decompose or
  // fold; a wrong answer for any one of them would make a term and a text disagree.
  std::size_t differences = 0;
  std::size_t shortcut_taken = 0;
  char32_t first_difference = 0;
  for (const bool fold : {true, false}) {
    for (char32_t cp = 0; cp <= 0x110000; ++cp) {
      char32_t fast[kMaxNormalizedLength];
      char32_t reference[kMaxNormalizedLength];
      const std::size_t fast_count = normalize_char(cp, fold, fast);
      const std::size_t reference_count = normalize_char_by_decomposition(cp, fold, reference);
      const bool same = std::u32string_view(fast, fast_count) ==
                        std::u32string_view(reference, reference_count);
      if (!same && differences++ == 0) first_difference = cp;
      shortcut_taken += (fast_count == 1 && fast[0] == cp) ? 1 : 0;
    }
  }
  INFO("first difference at U+" << std::hex << static_cast<std::uint32_t>(first_difference));
  CHECK(differences == 0);
  CHECK(shortcut_taken > 1000000);  // most code points normalise to themselves
  // The cases the shortcut must leave to the long way: a Hangul syllable, a compatibility character,
  // a capital that folds, a mark.
  CHECK(normalized(U'한') == U"\u1112\u1161\u11AB");
  CHECK(normalized(U'ﬁ') == U"fi");
  CHECK(normalized(U'Ж') == U"ж");
  CHECK(normalized(U'Ж', false) == U"Ж");
  CHECK(normalized(0x0301).empty());
}

TEST_CASE("normalized_parts remembers exactly what normalize_char and classify say", "[normalize]") {
  // Every code point of the BMP and the supplementary planes in use, both case modes, and the
  // stand-in for an invalid byte.
  std::size_t compared = 0;
  int differences = 0;
  for (const bool fold : {true, false}) {
    for (char32_t cp = 0; cp <= 0x10FFFF; cp += (cp < 0x30000 ? 1 : 97)) {
      const std::u32string expected = normalized(cp, fold);
      const NormalizedParts parts = normalized_parts(cp, fold);
      bool same = static_cast<std::size_t>(parts.end - parts.begin) == expected.size();
      for (std::size_t k = 0; same && k < expected.size(); ++k) {
        const NormalizedPart& part = parts.begin[k];
        std::string utf8;
        append_utf8(expected[k], utf8);
        same = part.cp == expected[k] && part.kind == classify(expected[k]) && part.bytes() == utf8;
      }
      differences += same ? 0 : 1;
      ++compared;
    }
    const NormalizedParts invalid = normalized_parts(kInvalidByte, fold);
    REQUIRE(invalid.end - invalid.begin == 1);
    CHECK(invalid.begin->kind == CharKind::kOther);
    CHECK(std::string(invalid.begin->bytes()) == std::string(1, kInvalidByteUtf8));
  }
  CHECK(differences == 0);
  CHECK(compared > 2 * 0x30000);
  const NormalizedParts sharp_s = normalized_parts(U'ß', true);
  REQUIRE(sharp_s.end - sharp_s.begin == 2);
  CHECK(std::string(sharp_s.begin[0].bytes()) == "s");
}

}  // namespace
}  // namespace newswatch::match_detail
