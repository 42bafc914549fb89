#include "feed/encoding.hpp"

#include <iconv.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "feed/detail/utf8.hpp"

namespace newswatch {

namespace {

// Byte by byte: most calls test a byte order mark or a layout against a document that starts with
// "<?xml", and fail at the first byte, where a comparison of views called memcmp every time.
bool starts_with_bytes(std::string_view bytes, std::string_view prefix) {
  if (bytes.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (bytes[i] != prefix[i]) return false;
  }
  return true;
}

using namespace std::string_view_literals;
constexpr std::string_view kBomUtf8 = "\xEF\xBB\xBF"sv;
constexpr std::string_view kBomUtf32Le = "\xFF\xFE\x00\x00"sv;
constexpr std::string_view kBomUtf32Be = "\x00\x00\xFE\xFF"sv;
constexpr std::string_view kBomUtf16Le = "\xFF\xFE"sv;
constexpr std::string_view kBomUtf16Be = "\xFE\xFF"sv;

std::optional<std::string> encoding_from_bom(std::string_view bytes) {
  // UTF-32LE's mark begins with UTF-16LE's, so it is tested first.
  if (starts_with_bytes(bytes, kBomUtf8)) return "UTF-8";
  if (starts_with_bytes(bytes, kBomUtf32Le)) return "UTF-32LE";
  if (starts_with_bytes(bytes, kBomUtf32Be)) return "UTF-32BE";
  if (starts_with_bytes(bytes, kBomUtf16Le)) return "UTF-16LE";
  if (starts_with_bytes(bytes, kBomUtf16Be)) return "UTF-16BE";
  return std::nullopt;
}

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
char ascii_upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

// A document without a byte order mark still shows its code unit width in how "<?" is laid out
// (XML 1.0, appendix F.1). Returns the encoding that layout implies, or empty for 8-bit layouts.
struct UnitLayout {
  std::string_view encoding;  // "UTF-16LE", ... or empty
  std::size_t width = 1;
  std::size_t offset = 0;  // where the ASCII byte sits inside each unit
};

UnitLayout layout_from_first_bytes(std::string_view bytes) {
  if (starts_with_bytes(bytes, "\x3C\x00\x00\x00"sv)) return {"UTF-32LE", 4, 0};
  if (starts_with_bytes(bytes, "\x00\x00\x00\x3C"sv)) return {"UTF-32BE", 4, 3};
  if (starts_with_bytes(bytes, "\x3C\x00\x3F\x00"sv)) return {"UTF-16LE", 2, 0};
  if (starts_with_bytes(bytes, "\x00\x3C\x00\x3F"sv)) return {"UTF-16BE", 2, 1};
  return {};
}

// The first line of the document as ASCII, whatever its code unit width: enough to read the XML
// declaration of a UTF-16 or UTF-32 document.
// An 8-bit document's prefix is a view of its bytes; a wider one's is gathered into `storage`.
std::string_view declaration_prefix(std::string_view bytes, const UnitLayout& layout, std::string& storage) {
  constexpr std::size_t kMaxDeclaration = 512;
  if (layout.width == 1) {
    const std::string_view head = bytes.substr(0, kMaxDeclaration);
    const std::size_t close = head.find('>');
    return close == std::string_view::npos ? head : head.substr(0, close + 1);
  }
  for (std::size_t pos = layout.offset; pos < bytes.size() && storage.size() < kMaxDeclaration;
       pos += layout.width) {
    const char c = bytes[pos];
    storage.push_back(c);
    if (c == '>') break;
  }
  return storage;
}

bool is_label_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.' || c == ':';
}

// The value of `encoding="..."` in an XML declaration (XML 1.0 section 4.3.3), or empty.
std::string_view declared_encoding(std::string_view declaration) {
  if (!starts_with_bytes(declaration, "<?xml")) return {};
  const std::size_t end = declaration.find("?>");
  if (end == std::string_view::npos) return {};
  declaration = declaration.substr(0, end);
  const std::size_t key = declaration.find("encoding");
  if (key == std::string_view::npos) return {};
  std::size_t pos = key + 8;
  while (pos < declaration.size() && (declaration[pos] == ' ' || declaration[pos] == '\t')) ++pos;
  if (pos >= declaration.size() || declaration[pos] != '=') return {};
  ++pos;
  while (pos < declaration.size() && (declaration[pos] == ' ' || declaration[pos] == '\t')) ++pos;
  if (pos >= declaration.size() || (declaration[pos] != '"' && declaration[pos] != '\'')) return {};
  const char quote = declaration[pos++];
  const std::size_t close = declaration.find(quote, pos);
  if (close == std::string_view::npos) return {};
  return declaration.substr(pos, close - pos);
}

// The charset parameter of a Content-Type header value (RFC 9110 section 8.3), or empty.
std::string_view charset_parameter(std::string_view content_type) {
  std::size_t pos = content_type.find(';');
  while (pos != std::string_view::npos) {
    std::size_t start = pos + 1;
    while (start < content_type.size() && (content_type[start] == ' ' || content_type[start] == '\t'))
      ++start;
    constexpr std::string_view kName = "charset";
    bool matches = content_type.size() - start > kName.size();
    for (std::size_t i = 0; matches && i < kName.size(); ++i) {
      matches = ascii_lower(content_type[start + i]) == kName[i];
    }
    std::size_t value = start + kName.size();
    while (matches && value < content_type.size() && content_type[value] == ' ') ++value;
    if (matches && value < content_type.size() && content_type[value] == '=') {
      ++value;
      while (value < content_type.size() && content_type[value] == ' ') ++value;
      std::size_t end = value;
      if (value < content_type.size() && (content_type[value] == '"' || content_type[value] == '\'')) {
        const char quote = content_type[value++];
        end = content_type.find(quote, value);
        if (end == std::string_view::npos) end = content_type.size();
      } else {
        while (end < content_type.size() && content_type[end] != ';' && content_type[end] != ' ' &&
               content_type[end] != '\t') {
          ++end;
        }
      }
      return content_type.substr(value, end - value);
    }
    pos = content_type.find(';', start);
  }
  return {};
}

struct Alias {
  std::string_view label;  // lower case
  std::string_view name;   // as iconv knows it
};

// Labels seen in feeds, mapped the way the WHATWG Encoding Standard (encoding.spec.whatwg.org, section 4.2
// "Names and labels") maps them, because that is what browsers, and hence feed authors, rely on:
// ISO-8859-1 and US-ASCII labels decode as windows-1252 (content labelled Latin-1 routinely carries
// windows-1252 quotes and dashes in 0x80-0x9F); ISO-8859-9 as windows-1254; GB2312 and GBK as their
// superset GB18030; EUC-KR as its superset windows-949; Shift_JIS labels as Shift_JIS.
constexpr std::array<Alias, 74> kAliases = {{
    {"utf-8", "UTF-8"},
    {"utf8", "UTF-8"},
    {"unicode-1-1-utf-8", "UTF-8"},
    {"unicode11utf8", "UTF-8"},
    {"x-unicode20utf8", "UTF-8"},
    {"us-ascii", "WINDOWS-1252"},
    {"ascii", "WINDOWS-1252"},
    {"ansi_x3.4-1968", "WINDOWS-1252"},
    {"iso-8859-1", "WINDOWS-1252"},
    {"iso8859-1", "WINDOWS-1252"},
    {"iso_8859-1", "WINDOWS-1252"},
    {"iso88591", "WINDOWS-1252"},
    {"iso_8859-1:1987", "WINDOWS-1252"},
    {"latin1", "WINDOWS-1252"},
    {"latin-1", "WINDOWS-1252"},
    {"l1", "WINDOWS-1252"},
    {"cp819", "WINDOWS-1252"},
    {"ibm819", "WINDOWS-1252"},
    {"iso-ir-100", "WINDOWS-1252"},
    {"csisolatin1", "WINDOWS-1252"},
    {"cp1252", "WINDOWS-1252"},
    {"x-cp1252", "WINDOWS-1252"},
    {"windows-1252", "WINDOWS-1252"},
    {"iso-8859-9", "WINDOWS-1254"},
    {"iso8859-9", "WINDOWS-1254"},
    {"iso_8859-9", "WINDOWS-1254"},
    {"latin5", "WINDOWS-1254"},
    {"iso-8859-11", "WINDOWS-874"},
    {"tis-620", "WINDOWS-874"},
    {"windows-874", "WINDOWS-874"},
    {"gb2312", "GB18030"},
    {"gb_2312", "GB18030"},
    {"gb_2312-80", "GB18030"},
    {"csgb2312", "GB18030"},
    {"chinese", "GB18030"},
    {"euc-cn", "GB18030"},
    {"x-euc-cn", "GB18030"},
    {"gbk", "GB18030"},
    {"x-gbk", "GB18030"},
    {"cp936", "GB18030"},
    {"gb18030", "GB18030"},
    {"big5", "BIG5-HKSCS"},
    {"big-5", "BIG5-HKSCS"},
    {"cn-big5", "BIG5-HKSCS"},
    {"csbig5", "BIG5-HKSCS"},
    {"x-x-big5", "BIG5-HKSCS"},
    {"big5-hkscs", "BIG5-HKSCS"},
    {"euc-kr", "CP949"},
    {"euckr", "CP949"},
    {"cseuckr", "CP949"},
    {"korean", "CP949"},
    {"ks_c_5601-1987", "CP949"},
    {"ks_c_5601-1989", "CP949"},
    {"windows-949", "CP949"},
    {"cp949", "CP949"},
    {"shift_jis", "SHIFT_JIS"},
    {"shift-jis", "SHIFT_JIS"},
    {"sjis", "SHIFT_JIS"},
    {"x-sjis", "SHIFT_JIS"},
    {"ms_kanji", "SHIFT_JIS"},
    {"csshiftjis", "SHIFT_JIS"},
    {"windows-31j", "CP932"},
    {"ms932", "CP932"},
    {"cp932", "CP932"},
    {"euc-jp", "EUC-JP"},
    {"x-euc-jp", "EUC-JP"},
    {"koi8-r", "KOI8-R"},
    {"koi8", "KOI8-R"},
    {"koi", "KOI8-R"},
    {"cskoi8r", "KOI8-R"},
    {"koi8-u", "KOI8-U"},
    {"utf16", "UTF-16"},
    {"ucs-2", "UTF-16"},
    {"utf32", "UTF-32"},
}};

// windows-125x under the names feeds use for them: cp1251, x-cp1251, win-1251, windows1251.
std::optional<std::string> windows_code_page(std::string_view lower) {
  for (std::string_view prefix : {"windows-"sv, "windows"sv, "x-cp"sv, "cp"sv, "win-"sv, "win"sv}) {
    if (starts_with_bytes(lower, prefix)) {
      const std::string_view number = lower.substr(prefix.size());
      if (number.size() == 4 && number.substr(0, 3) == "125" && number[3] >= '0' && number[3] <= '8') {
        return "WINDOWS-" + std::string(number);
      }
    }
  }
  return std::nullopt;
}

// latin2, iso8859-2, iso_8859-15 ... -> ISO-8859-N.
std::optional<std::string> iso_8859_part(std::string_view lower) {
  for (std::string_view prefix : {"iso-8859-"sv, "iso8859-"sv, "iso_8859-"sv, "iso8859"sv}) {
    if (starts_with_bytes(lower, prefix)) {
      std::string_view number = lower.substr(prefix.size());
      const std::size_t colon = number.find(':');  // iso_8859-2:1987
      if (colon != std::string_view::npos) number = number.substr(0, colon);
      if (!number.empty() && number.size() <= 2 &&
          std::all_of(number.begin(), number.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return "ISO-8859-" + std::string(number);
      }
    }
  }
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 9> kLatin = {{
      {"latin2", "ISO-8859-2"},
      {"latin3", "ISO-8859-3"},
      {"latin4", "ISO-8859-4"},
      {"latin6", "ISO-8859-10"},
      {"latin7", "ISO-8859-13"},
      {"latin8", "ISO-8859-14"},
      {"latin9", "ISO-8859-15"},
      {"latin10", "ISO-8859-16"},
      {"cyrillic", "ISO-8859-5"},
  }};
  for (const auto& [label, name] : kLatin) {
    if (lower == label) return std::string(name);
  }
  return std::nullopt;
}

// The declaration and the header canonicalise the same way. Returns empty for a label that is not even
// syntactically a charset name (it could otherwise smuggle iconv suffixes such as "//IGNORE").
std::string canonical_encoding_name(std::string_view label) {
  while (!label.empty() && (label.front() == ' ' || label.front() == '\t')) label.remove_prefix(1);
  while (!label.empty() && (label.back() == ' ' || label.back() == '\t')) label.remove_suffix(1);
  if (label.empty() || label.size() > 40 || !std::all_of(label.begin(), label.end(), is_label_char))
    return {};
  // Nearly every feed declares UTF-8: answered without the lower-case copy and the table.
  if (label.size() == 5 && ascii_lower(label[0]) == 'u' && ascii_lower(label[1]) == 't' &&
      ascii_lower(label[2]) == 'f' && label[3] == '-' && label[4] == '8') {
    return "UTF-8";
  }
  std::string lower(label);
  std::transform(lower.begin(), lower.end(), lower.begin(), ascii_lower);
  for (const Alias& alias : kAliases) {
    if (alias.label == lower) return std::string(alias.name);
  }
  if (auto name = windows_code_page(lower)) return *name;
  if (auto name = iso_8859_part(lower)) {
    return *name == "ISO-8859-1" ? "WINDOWS-1252" : *name == "ISO-8859-9" ? "WINDOWS-1254" : *name;
  }
  std::string upper(label);
  std::transform(upper.begin(), upper.end(), upper.begin(), ascii_upper);
  return upper;
}

}  // namespace

DetectedEncoding detect_encoding(std::string_view bytes, std::string_view content_type) {
  if (auto bom = encoding_from_bom(bytes)) return {*bom, EncodingSource::byte_order_mark};

  const UnitLayout layout = layout_from_first_bytes(bytes);
  std::string wide_declaration;
  const std::string_view declaration = declaration_prefix(bytes, layout, wide_declaration);
  const std::string_view declared = declared_encoding(declaration);
  if (!layout.encoding.empty()) {
    // A 16- or 32-bit layout decides the encoding by itself; the declaration can only name its family.
    return {std::string(layout.encoding), EncodingSource::xml_declaration};
  }
  if (std::string name = canonical_encoding_name(declared); !name.empty()) {
    // An 8-bit document cannot be UTF-16 or UTF-32 whatever it declares (XML 1.0 appendix F.1):
    // such a declaration is a mistake of the feed's generator, and the bytes are read as UTF-8.
    if (!starts_with_bytes(name, "UTF-16") && !starts_with_bytes(name, "UTF-32") && name != "UCS-2" &&
        name != "UCS-4") {
      return {std::move(name), EncodingSource::xml_declaration};
    }
  }
  if (std::string name = canonical_encoding_name(charset_parameter(content_type)); !name.empty()) {
    return {std::move(name), EncodingSource::http_header};
  }
  return {"UTF-8", EncodingSource::default_utf8};
}


namespace {

// The width of one code unit, so that an invalid unit is skipped whole and the rest stays aligned.
std::size_t code_unit_width(std::string_view name) {
  if (starts_with_bytes(name, "UTF-16") || name == "UCS-2") return 2;
  if (starts_with_bytes(name, "UTF-32") || name == "UCS-4") return 4;
  return 1;
}

// "UTF-16" and "UTF-32" without a byte order mark are big-endian to glibc (RFC 2781 section 4.3), but
// feeds that omit the mark are as often little-endian: the position of the zero bytes tells.
std::string resolve_byte_order(std::string_view name, std::string_view bytes) {
  if (name != "UTF-16" && name != "UTF-32") return std::string(name);
  const bool wide = name == "UTF-32";
  if (wide && starts_with_bytes(bytes, kBomUtf32Le)) return "UTF-32LE";
  if (wide && starts_with_bytes(bytes, kBomUtf32Be)) return "UTF-32BE";
  if (!wide && starts_with_bytes(bytes, kBomUtf16Le)) return "UTF-16LE";
  if (!wide && starts_with_bytes(bytes, kBomUtf16Be)) return "UTF-16BE";
  const std::size_t width = wide ? 4 : 2;
  std::size_t zero_first = 0;
  std::size_t zero_last = 0;
  for (std::size_t pos = 0; pos + width <= std::min<std::size_t>(bytes.size(), 256); pos += width) {
    zero_first += bytes[pos] == '\0';
    zero_last += bytes[pos + width - 1] == '\0';
  }
  const bool little = zero_last > zero_first;
  return std::string(name) + (little ? "LE" : "BE");
}

std::string_view strip_byte_order_mark(std::string_view bytes, std::string_view name) {
  if (name == "UTF-8" && starts_with_bytes(bytes, kBomUtf8)) return bytes.substr(3);
  if (name == "UTF-16LE" && starts_with_bytes(bytes, kBomUtf16Le) && !starts_with_bytes(bytes, kBomUtf32Le)) {
    return bytes.substr(2);
  }
  if (name == "UTF-16BE" && starts_with_bytes(bytes, kBomUtf16Be)) return bytes.substr(2);
  if (name == "UTF-32LE" && starts_with_bytes(bytes, kBomUtf32Le)) return bytes.substr(4);
  if (name == "UTF-32BE" && starts_with_bytes(bytes, kBomUtf32Be)) return bytes.substr(4);
  return bytes;
}

// iconv descriptors kept per thread, by encoding name: iconv_open looks the converter up in gconv's
// cache and dlopens its module, and iconv_close unloads it again when nothing else holds it, which
// cost 4 % of parsing a corpus with many non-UTF-8 feeds. A feed keeps its encoding from poll to poll,
// and a thread sees few encodings; a name that iconv does not know is remembered too, so a feed
// declaring nonsense costs one lookup. Bounded: past kMaxConverters names the oldest is closed.
class IconvCache {
 public:
  IconvCache() = default;
  IconvCache(const IconvCache&) = delete;
  IconvCache& operator=(const IconvCache&) = delete;
  ~IconvCache() {
    for (const Entry& entry : entries_) close(entry.cd);
  }

  // A descriptor in its initial shift state, or (iconv_t)-1 when iconv cannot convert from `from`.
  iconv_t get(const std::string& from) {
    for (const Entry& entry : entries_) {
      if (entry.name == from) {
        if (valid(entry.cd)) iconv(entry.cd, nullptr, nullptr, nullptr, nullptr);
        return entry.cd;
      }
    }
    if (entries_.size() == kMaxConverters) {
      close(entries_.front().cd);
      entries_.erase(entries_.begin());
    }
    entries_.push_back({from, iconv_open("UTF-8", from.c_str())});
    return entries_.back().cd;
  }

  static bool valid(iconv_t cd) { return cd != reinterpret_cast<iconv_t>(-1); }

 private:
  static constexpr std::size_t kMaxConverters = 16;
  struct Entry {
    std::string name;
    iconv_t cd;
  };
  static void close(iconv_t cd) {
    if (valid(cd)) iconv_close(cd);
  }
  std::vector<Entry> entries_;
};

// Converts in output chunks; every invalid or truncated input unit becomes one U+FFFD and the
// conversion carries on. Each pass of the loop either consumes input or empties the output chunk, so
// it ends; iconv is never handed more than the buffer.
void transcode(iconv_t cd, std::string_view input, std::size_t unit, Utf8Text& result) {
  std::array<char, 16384> chunk;
  char* in = const_cast<char*>(input.data());  // iconv's signature; it does not write the input
  std::size_t in_left = input.size();
  result.text.reserve(input.size() + input.size() / 2);
  while (true) {
    char* out = chunk.data();
    std::size_t out_left = chunk.size();
    const bool finishing = in_left == 0;
    const std::size_t rc =
        finishing ? iconv(cd, nullptr, nullptr, &out, &out_left) : iconv(cd, &in, &in_left, &out, &out_left);
    const int error = rc == static_cast<std::size_t>(-1) ? errno : 0;
    result.text.append(chunk.data(), chunk.size() - out_left);
    if (error == E2BIG) continue;
    if (finishing) break;
    if (error == EILSEQ) {
      result.text.append(kReplacementCharacter);
      ++result.replaced;
      const std::size_t skip = std::min(unit, in_left);
      in += skip;
      in_left -= skip;
      iconv(cd, nullptr, nullptr, nullptr, nullptr);  // back to the initial shift state
    } else if (error == EINVAL) {
      // A truncated sequence at the end of the document.
      result.text.append(kReplacementCharacter);
      ++result.replaced;
      in_left = 0;
    } else if (error != 0) {
      result.text.append(kReplacementCharacter);
      ++result.replaced;
      in_left = 0;
    }
  }
}

}  // namespace

Utf8Text to_utf8(std::string_view bytes, const DetectedEncoding& encoding) {
  Utf8Text result;
  const std::string name = resolve_byte_order(encoding.name, bytes);
  const std::string_view body = strip_byte_order_mark(bytes, name);
  if (name == "UTF-8" || name.empty()) {
    result.text = sanitize_utf8(body, &result.replaced);
    return result;
  }
  thread_local IconvCache converters;
  const iconv_t converter = converters.get(name);
  if (!IconvCache::valid(converter)) {
    result.unknown_encoding = true;
    result.text = sanitize_utf8(body, &result.replaced);
    return result;
  }
  transcode(converter, body, code_unit_width(name), result);
  // Only a byte order mark that the resolution above did not see (none expected) would remain.
  if (starts_with_bytes(result.text, kBomUtf8)) result.text.erase(0, 3);
  // glibc's converters emit valid UTF-8; checking costs little and keeps the promise unconditional.
  std::size_t replaced_after = 0;
  if (first_invalid_utf8(result.text) != result.text.size()) {
    result.text = sanitize_utf8(result.text, &replaced_after);
    result.replaced += replaced_after;
  }
  return result;
}

Utf8Text to_utf8_owned(std::string bytes, const DetectedEncoding& encoding) {
  const std::string name = resolve_byte_order(encoding.name, bytes);
  if ((name == "UTF-8" || name.empty()) && !starts_with_bytes(bytes, kBomUtf8) &&
      first_invalid_utf8(bytes) == bytes.size()) {
    Utf8Text result;
    result.text = std::move(bytes);
    return result;
  }
  return to_utf8(std::string_view(bytes), encoding);
}

}  // namespace newswatch
