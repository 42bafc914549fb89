#pragma once
// Which character encoding a feed document is in, and its bytes transcoded to UTF-8.
// Pure functions, no shared state: any thread may call them at once. Inputs are borrowed for the call.
#include <string>
#include <string_view>

#include "common/utf8.hpp"  // sanitize_utf8, which callers of this header use with to_utf8

namespace newswatch {

enum class EncodingSource { byte_order_mark, xml_declaration, http_header, default_utf8 };

struct DetectedEncoding {
  std::string name;  // canonical upper-case name as iconv knows it: "UTF-8", "WINDOWS-1251", "SHIFT_JIS"
  EncodingSource source = EncodingSource::default_utf8;
};

// Precedence: byte order mark, then the XML declaration's encoding, then the charset parameter of
// the Content-Type header, then UTF-8. (For JSON documents the declaration step finds nothing.)
// A UTF-16/32 document without a mark is recognised by how "<?xml" is laid out (XML 1.0 appendix F.1);
// an 8-bit document that declares UTF-16 is not believed. Labels are canonicalised as the WHATWG
// Encoding Standard maps them: ISO-8859-1 and US-ASCII become WINDOWS-1252 (what such feeds really
// contain), GB2312/GBK become GB18030, EUC-KR becomes CP949, Big5 becomes BIG5-HKSCS. A label that is
// not a plausible charset name (say "utf-8//IGNORE") is ignored; an unknown one is passed on upper-cased.
DetectedEncoding detect_encoding(std::string_view bytes, std::string_view content_type);

struct Utf8Text {
  std::string text;               // valid UTF-8, byte order mark removed
  std::size_t replaced = 0;       // invalid or unmappable sequences turned into U+FFFD
  bool unknown_encoding = false;  // iconv did not know the name; the bytes were read as UTF-8 instead
};

// Transcodes with iconv (any encoding glibc knows: ISO-8859-x, windows-125x, KOI8-R, Shift_JIS, GB18030,
// Big5, EUC-*, UTF-16/32 ...). Never fails: what cannot be decoded becomes U+FFFD, one per invalid or
// truncated code unit, and decoding carries on. Valid UTF-8 input is only checked and copied.
// The XML declaration inside the result still names the original encoding: parse the result as UTF-8
// regardless (pugixml: pugi::encoding_utf8), never by what the declaration says.
Utf8Text to_utf8(std::string_view bytes, const DetectedEncoding& encoding);
// to_utf8 of bytes the caller gives up: valid UTF-8 without a byte order mark is moved, not copied.
Utf8Text to_utf8_owned(std::string bytes, const DetectedEncoding& encoding);


}  // namespace newswatch
