#pragma once
// Which character encoding a feed document is in, and its bytes transcoded to UTF-8.
#include <string>
#include <string_view>

namespace newswatch {

enum class EncodingSource { byte_order_mark, xml_declaration, http_header, default_utf8 };

struct DetectedEncoding {
  std::string name;  // canonical upper-case name as iconv knows it: "UTF-8", "WINDOWS-1251", "SHIFT_JIS"
  EncodingSource source = EncodingSource::default_utf8;
};

// Precedence: byte order mark, then the XML declaration's encoding, then the charset parameter of
// the Content-Type header, then UTF-8. (For JSON documents the declaration step finds nothing.)
DetectedEncoding detect_encoding(std::string_view bytes, std::string_view content_type);

struct Utf8Text {
  std::string text;             // valid UTF-8, byte order mark removed
  std::size_t replaced = 0;     // invalid or unmappable sequences turned into U+FFFD
  bool unknown_encoding = false;  // iconv did not know the name; the bytes were read as UTF-8 instead
};

// Transcodes with iconv (any encoding glibc knows: ISO-8859-x, windows-125x, KOI8-R, Shift_JIS, GB18030,
// Big5, EUC-*, UTF-16/32 ...). Never fails: what cannot be decoded becomes U+FFFD.
Utf8Text to_utf8(std::string_view bytes, const DetectedEncoding& encoding);

// Makes arbitrary bytes valid UTF-8, replacing each invalid sequence with U+FFFD.
std::string sanitize_utf8(std::string_view bytes, std::size_t* replaced = nullptr);

}  // namespace newswatch
