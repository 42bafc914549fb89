#include "feed/encoding.hpp"

#include <catch2/catch.hpp>
#include <random>
#include <string>

#include "fixtures.hpp"

namespace newswatch {
namespace {

using namespace std::string_literals;

std::string encoding_fixture(const std::string& name) {
  return testing::read_file(testing::shared_dir() / "fixtures/feeds/feedparser/encoding" / name);
}

bool is_valid_utf8(const std::string& text) {
  std::size_t replaced = 0;
  return sanitize_utf8(text, &replaced) == text && replaced == 0;
}

std::string decode(std::string_view bytes, std::string_view content_type = {}) {
  return to_utf8(bytes, detect_encoding(bytes, content_type)).text;
}

}  // namespace

TEST_CASE("detect_encoding follows byte order mark, declaration, header, default") {
  const auto [file, content_type, name, source] =
      GENERATE(table<std::string, std::string_view, std::string_view, EncodingSource>({
          {"utf-8-bom.xml", "", "UTF-8", EncodingSource::byte_order_mark},
          {"utf-16be-bom.xml", "", "UTF-16BE", EncodingSource::byte_order_mark},
          {"utf-16le-bom.xml", "", "UTF-16LE", EncodingSource::byte_order_mark},
          {"utf-32be-bom.xml", "", "UTF-32BE", EncodingSource::byte_order_mark},
          {"utf-32le-bom.xml", "", "UTF-32LE", EncodingSource::byte_order_mark},
          // Without a mark, the layout of "<?xml" gives the width and byte order (XML 1.0 appendix F.1).
          {"utf-16be.xml", "", "UTF-16BE", EncodingSource::xml_declaration},
          {"utf-16le.xml", "", "UTF-16LE", EncodingSource::xml_declaration},
          {"utf-16be-autodetect.xml", "", "UTF-16BE", EncodingSource::xml_declaration},
          {"utf-16le-autodetect.xml", "", "UTF-16LE", EncodingSource::xml_declaration},
          {"utf-32be-autodetect.xml", "", "UTF-32BE", EncodingSource::xml_declaration},
          {"utf-32le-autodetect.xml", "", "UTF-32LE", EncodingSource::xml_declaration},
          {"u16.xml", "", "UTF-16BE", EncodingSource::xml_declaration},
          {"utf_32.xml", "", "UTF-32BE", EncodingSource::xml_declaration},
          {"big5.xml", "", "BIG5-HKSCS", EncodingSource::xml_declaration},
          {"euc-kr.xml", "", "CP949", EncodingSource::xml_declaration},
          {"no_content_type_encoding.xml", "", "WINDOWS-1252", EncodingSource::xml_declaration},
          {"no_content_type_default.xml", "", "UTF-8", EncodingSource::default_utf8},
          {"http_application_atom_xml_gb2312_encoding.xml", "application/atom+xml", "GB18030",
           EncodingSource::xml_declaration},
          {"http_application_atom_xml_gb2312_charset.xml", "application/atom+xml;charset='gb2312'", "GB18030",
           EncodingSource::http_header},
          {"http_application_rss_xml_charset.xml", "application/rss+xml;charset= 'us-ascii'", "WINDOWS-1252",
           EncodingSource::http_header},
          {"http_application_xml_charset_overrides_encoding.xml", "application/xml;charset = us-ascii",
           "WINDOWS-1252", EncodingSource::xml_declaration},
          // Our precedence puts the declaration before the header (feedparser follows RFC 3023 instead).
          {"http_application_atom_xml_gb2312_charset_overrides_encoding.xml",
           "application/atom+xml; charset='gb2312'", "UTF-8", EncodingSource::xml_declaration},
          {"http_text_xml_charset_2.xml", "text/xml; charset=windows-1252", "WINDOWS-1252",
           EncodingSource::http_header},
          {"http_text_xml_bogus_param.xml", "text/xml; charset:iso-8859-1", "UTF-8",
           EncodingSource::default_utf8},
          {"http_text_xml_qs.xml", "text/xml; qs=0.9", "UTF-8", EncodingSource::default_utf8},
          {"bozo_bogus_encoding.xml", "", "BOGUS", EncodingSource::xml_declaration},
      }));
  CAPTURE(file);
  const DetectedEncoding detected = detect_encoding(encoding_fixture(file), content_type);
  CHECK(detected.name == name);
  CHECK(detected.source == source);
}

TEST_CASE("detect_encoding canonicalises the labels feeds use") {
  const auto [label, name] = GENERATE(table<std::string_view, std::string_view>({
      {"utf8", "UTF-8"},
      {"UTF-8", "UTF-8"},
      // WHATWG Encoding Standard: Latin-1 and ASCII labels decode as windows-1252.
      {"latin1", "WINDOWS-1252"},
      {"ISO_8859-1", "WINDOWS-1252"},
      {"iso-8859-1", "WINDOWS-1252"},
      {"US-ASCII", "WINDOWS-1252"},
      {"cp1252", "WINDOWS-1252"},
      {"cp1251", "WINDOWS-1251"},
      {"windows-1251", "WINDOWS-1251"},
      {"x-cp1250", "WINDOWS-1250"},
      {"iso-8859-2", "ISO-8859-2"},
      {"ISO8859-15", "ISO-8859-15"},
      {"latin2", "ISO-8859-2"},
      {"x-sjis", "SHIFT_JIS"},
      {"Shift_JIS", "SHIFT_JIS"},
      {"windows-31j", "CP932"},
      {"gb2312", "GB18030"},
      {"GBK", "GB18030"},
      {"big5", "BIG5-HKSCS"},
      {"euc-kr", "CP949"},
      {"ks_c_5601-1987", "CP949"},
      {"koi8-r", "KOI8-R"},
      {"euc-jp", "EUC-JP"},
      {"\"utf-8\"", "UTF-8"},
      {"utf-8//IGNORE", "UTF-8"},  // not a charset name: the default applies
  }));
  CAPTURE(label);
  CHECK(detect_encoding("<rss/>", "text/xml; charset=" + std::string(label)).name == name);
}

TEST_CASE("detect_encoding reads the declaration of an 8-bit document only when it names an 8-bit encoding") {
  CHECK(detect_encoding("<?xml version='1.0' encoding='utf-16'?><rss/>", "").name == "UTF-8");
  CHECK(detect_encoding("<?xml version='1.0' encoding='utf-16'?><rss/>", "text/xml; charset=koi8-r").name ==
        "KOI8-R");
  CHECK(detect_encoding("<?xml version=\"1.0\" encoding = \"windows-1251\" ?>", "").name == "WINDOWS-1251");
  CHECK(detect_encoding("<?xml version=\"1.0\"?><rss encoding=\"koi8-r\"/>", "").name == "UTF-8");
  CHECK(detect_encoding("{\"version\": \"https://jsonfeed.org/version/1.1\"}", "application/feed+json")
            .source == EncodingSource::default_utf8);
}

TEST_CASE("to_utf8 transcodes the feedparser encoding fixtures") {
  SECTION("UTF-16 and UTF-32, with and without byte order mark") {
    const std::string file = GENERATE(
        "utf-16be-bom.xml"s, "utf-16le-bom.xml"s, "utf-32be-bom.xml"s, "utf-32le-bom.xml"s, "utf-16be.xml"s,
        "utf-16le.xml"s, "utf-16be-autodetect.xml"s, "utf-16le-autodetect.xml"s, "utf-32be-autodetect.xml"s,
        "utf-32le-autodetect.xml"s, "utf16.xml"s, "utf_16.xml"s, "utf_32.xml"s);
    CAPTURE(file);
    const Utf8Text result = to_utf8(encoding_fixture(file), detect_encoding(encoding_fixture(file), ""));
    CHECK(result.text.rfind("<?xml version=\"1.0\" encoding=", 0) == 0);
    CHECK(result.text.find("<rss>\n</rss>") != std::string::npos);
    CHECK(result.replaced == 0);
    CHECK_FALSE(result.unknown_encoding);
  }
  SECTION("EUC-KR") {
    CHECK(decode(encoding_fixture("euc-kr.xml")).find("<title>\xEB\x85\x84</title>") != std::string::npos);
    CHECK(decode(encoding_fixture("euc-kr-item.xml")).find("\xEB\x85\x84") != std::string::npos);
  }
  SECTION("windows-1252 from the header, or from a declaration of ISO-8859-1") {
    const std::string expected = "This is a \xC2\xA3\xE2\x80\x9Ctest.\xE2\x80\x9D";  // £“test.”
    CHECK(decode(encoding_fixture("http_text_xml_charset_2.xml"), "text/xml; charset=windows-1252")
              .find(expected) != std::string::npos);
    CHECK(decode(encoding_fixture("http_text_xml_charset_overrides_encoding_2.xml"), "text/xml")
              .find(expected) != std::string::npos);
  }
  SECTION("a UTF-8 byte order mark is removed") {
    const Utf8Text result =
        to_utf8(encoding_fixture("utf-8-bom.xml"), {"UTF-8", EncodingSource::byte_order_mark});
    CHECK(result.text.rfind("<?xml", 0) == 0);
  }
  SECTION("invalid bytes after a byte order mark become U+FFFD") {
    const std::string bytes = encoding_fixture("bozo_invalid-bytes-with-bom.xml");
    const Utf8Text result = to_utf8(bytes, detect_encoding(bytes, ""));
    CHECK(result.replaced > 0);
    CHECK(is_valid_utf8(result.text));
  }
  SECTION("an encoding iconv does not know is read as UTF-8 and said so") {
    const std::string bytes = encoding_fixture("bozo_bogus_encoding.xml");
    const Utf8Text result = to_utf8(bytes, detect_encoding(bytes, ""));
    CHECK(result.unknown_encoding);
    CHECK(result.text == bytes);
  }
}

TEST_CASE("to_utf8 transcodes the single- and multi-byte encodings feeds use") {
  const auto [bytes, name, expected] = GENERATE(table<std::string, std::string, std::string>({
      {"\x93quoted\x94 \x80 \x85", "WINDOWS-1252",
       "\xE2\x80\x9Cquoted\xE2\x80\x9D \xE2\x82\xAC \xE2\x80\xA6"},
      {"don\x92t caf\xE9", "WINDOWS-1252", "don\xE2\x80\x99t caf\xC3\xA9"},
      {"\xCF\xF0\xE8\xE2\xE5\xF2", "WINDOWS-1251", "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82"},
      {"\xF0\xD2\xC9\xD7\xC5\xD4", "KOI8-R", "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82"},
      {"\x93\xFA\x96\x7B", "SHIFT_JIS", "\xE6\x97\xA5\xE6\x9C\xAC"},
      {"\xC4\xE3\xBA\xC3", "GB18030", "\xE4\xBD\xA0\xE5\xA5\xBD"},
      {"\xA4\xA4\xA4\xE5", "BIG5-HKSCS", "\xE4\xB8\xAD\xE6\x96\x87"},
      {"\xC7\xD1\xB1\xB9", "CP949", "\xED\x95\x9C\xEA\xB5\xAD"},
      {"\xA9\xE9", "ISO-8859-2", "\xC5\xA0\xC3\xA9"},
      {"\xFF\xFE"s + "h\0i\0"s, "UTF-16", "hi"},
      {"h\0i\0"s, "UTF-16", "hi"},
      {"\0h\0i"s, "UTF-16", "hi"},
  }));
  CAPTURE(name);
  const Utf8Text result = to_utf8(bytes, {name, EncodingSource::http_header});
  CHECK(result.text == expected);
  CHECK(result.replaced == 0);
}

TEST_CASE("to_utf8 replaces what cannot be decoded and carries on") {
  SECTION("a truncated multi-byte character at the end") {
    const Utf8Text result = to_utf8("ok\x93", {"SHIFT_JIS", EncodingSource::http_header});
    CHECK(result.text == "ok\xEF\xBF\xBD");
    CHECK(result.replaced == 1);
  }
  SECTION("an invalid byte in the middle") {
    const Utf8Text result = to_utf8(
        "abc\xFF"
        "def",
        {"CP949", EncodingSource::http_header});
    CHECK(result.text ==
          "abc\xEF\xBF\xBD"
          "def");
    CHECK(result.replaced == 1);
  }
  SECTION("an odd byte count in UTF-16") {
    const Utf8Text result = to_utf8("h\0i\0!"s, {"UTF-16LE", EncodingSource::http_header});
    CHECK(result.text == "hi\xEF\xBF\xBD");
  }
  SECTION("a lone surrogate in UTF-16") {
    const Utf8Text result = to_utf8("\x00\xD8h\0"s, {"UTF-16LE", EncodingSource::http_header});
    CHECK(result.text == "\xEF\xBF\xBDh");
  }
  SECTION("invalid UTF-8") {
    const Utf8Text result = to_utf8("caf\xE9!", {"UTF-8", EncodingSource::default_utf8});
    CHECK(result.text == "caf\xEF\xBF\xBD!");
    CHECK(result.replaced == 1);
  }
  SECTION("more output than one conversion chunk") {
    const std::string bytes(100000, '\xE9');
    const Utf8Text result = to_utf8(bytes, {"WINDOWS-1252", EncodingSource::http_header});
    CHECK(result.text.size() == 200000);
    CHECK(result.text.substr(0, 4) == "\xC3\xA9\xC3\xA9");
  }
}

TEST_CASE("to_utf8 starts every document afresh though converters are reused") {
  // ISO-2022-JP shifts into JIS X 0208 with ESC $ B; a document cut off there must not leave the next
  // document of the same encoding shifted.
  const Utf8Text cut = to_utf8("a\x1b$B\x30\x21\x30", {"ISO-2022-JP", EncodingSource::http_header});
  CHECK(cut.text == "a\xE4\xBA\x9C\xEF\xBF\xBD");
  CHECK(to_utf8("abc", {"ISO-2022-JP", EncodingSource::http_header}).text == "abc");
  SECTION("more encodings than converters are kept") {
    const char* names[] = {"WINDOWS-1250", "WINDOWS-1251", "WINDOWS-1252", "WINDOWS-1253", "WINDOWS-1254",
                           "WINDOWS-1255", "WINDOWS-1256", "WINDOWS-1257", "WINDOWS-1258", "KOI8-R",
                           "KOI8-U",       "ISO-8859-2",   "ISO-8859-5",   "ISO-8859-7",   "ISO-8859-15",
                           "MACINTOSH",    "IBM866",       "SHIFT_JIS",    "EUC-JP",       "GB18030"};
    for (int round = 0; round < 2; ++round) {
      for (const char* name : names) {
        INFO(name);
        CHECK(to_utf8("plain text", {name, EncodingSource::http_header}).text == "plain text");
      }
    }
  }
  SECTION("an encoding iconv does not know, asked for again") {
    for (int round = 0; round < 2; ++round) {
      const Utf8Text result = to_utf8("caf\xC3\xA9", {"X-NO-SUCH-CHARSET", EncodingSource::http_header});
      CHECK(result.unknown_encoding);
      CHECK(result.text == "caf\xC3\xA9");
    }
  }
}

TEST_CASE("Random bytes in any encoding come out as valid UTF-8") {
  std::mt19937 random(4242);  // fixed seed: the test is deterministic
  const std::vector<std::string> names = {
      "UTF-8",   "UTF-16",     "UTF-16LE", "UTF-32BE", "WINDOWS-1252", "KOI8-R",       "SHIFT_JIS",
      "GB18030", "BIG5-HKSCS", "CP949",    "EUC-JP",   "ISO-2022-JP",  "NOT-A-CHARSET"};
  for (int round = 0; round < 3000; ++round) {
    std::string bytes;
    const std::size_t length = random() % 64;
    for (std::size_t i = 0; i < length; ++i) bytes.push_back(static_cast<char>(random() % 256));
    const std::string& name = names[random() % names.size()];
    CAPTURE(name, bytes);
    REQUIRE(is_valid_utf8(to_utf8(bytes, {name, EncodingSource::http_header}).text));
    REQUIRE(is_valid_utf8(sanitize_utf8(bytes)));
    const DetectedEncoding detected = detect_encoding(bytes, bytes);
    REQUIRE_FALSE(detected.name.empty());
  }
}

}  // namespace newswatch
