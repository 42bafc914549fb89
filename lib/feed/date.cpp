#include "feed/date.hpp"

#include <date/date.h>

#include <algorithm>
#include <array>
#include <cstdint>

namespace newswatch {
namespace {

using namespace std::string_view_literals;

// The broken-down date as read; validated and converted only once complete.
struct DateFields {
  int year = -1;
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  int offset_seconds = 0;  // local time = UTC + offset
};

// Years outside this range are placeholders (Go's zero time is 0001-01-01) or typing accidents, never
// the date of a feed item: absent is the honest answer for them.
constexpr int kFirstYear = 1900;
constexpr int kLastYear = 9999;

std::optional<Instant> to_instant(const DateFields& f) {
  if (f.year < kFirstYear || f.year > kLastYear) return std::nullopt;
  if (f.hour < 0 || f.hour > 23 || f.minute < 0 || f.minute > 59 || f.second < 0 || f.second > 60) {
    return std::nullopt;
  }
  const date::year_month_day ymd{date::year{f.year}, date::month{static_cast<unsigned>(f.month)},
                                 date::day{static_cast<unsigned>(f.day)}};
  if (f.month < 1 || f.month > 12 || f.day < 1 || !ymd.ok()) return std::nullopt;
  // A leap second (23:59:60) is kept inside its day rather than spilling into the next one.
  const int second = std::min(f.second, 59);
  const Instant instant = Instant{date::sys_days{ymd}} + std::chrono::hours{f.hour} +
                          std::chrono::minutes{f.minute} + std::chrono::seconds{second} -
                          std::chrono::seconds{f.offset_seconds};
  // The range holds in UTC too: "1900-01-01T00:00+07:00" is in 1899, and an instant outside the range
  // would print as a date that does not read back (found by fuzz_date).
  static const Instant first{date::sys_days{date::year{kFirstYear} / 1 / 1}};
  static const Instant last{date::sys_days{date::year{kLastYear + 1} / 1 / 1} - std::chrono::seconds{1}};
  if (instant < first || instant > last) return std::nullopt;
  return instant;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_ascii_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

// Reads between min_digits and max_digits decimal digits at text[pos]; advances pos.
std::optional<int> read_number(std::string_view text, std::size_t& pos, std::size_t min_digits,
                               std::size_t max_digits) {
  const std::size_t start = pos;
  int value = 0;
  while (pos < text.size() && is_digit(text[pos]) && pos - start < max_digits) {
    value = value * 10 + (text[pos] - '0');
    ++pos;
  }
  if (pos - start < min_digits || (pos < text.size() && is_digit(text[pos]))) return std::nullopt;
  return value;
}

enum class WordKind { month, weekday, month_or_weekday, zone, meridiem_am, meridiem_pm, filler };

struct Word {
  std::string_view name;  // lower case, UTF-8, no trailing dot
  WordKind kind;
  int value;  // month 1-12, or zone offset in minutes
};

// Month and day names in English, Italian, Portuguese, German, Spanish, French (and a few Dutch
// forms), full and abbreviated as CLDR and real feeds write them. Across these languages only "mar"
// is both a month (March) and a day (martedì / martes / mardi); read_rfc822 resolves it by position.
constexpr auto kWordList = std::to_array<Word>({
    // English
    {"jan", WordKind::month, 1},
    {"january", WordKind::month, 1},
    {"feb", WordKind::month, 2},
    {"february", WordKind::month, 2},
    {"mar", WordKind::month_or_weekday, 3},
    {"march", WordKind::month, 3},
    {"apr", WordKind::month, 4},
    {"april", WordKind::month, 4},
    {"may", WordKind::month, 5},
    {"jun", WordKind::month, 6},
    {"june", WordKind::month, 6},
    {"jul", WordKind::month, 7},
    {"july", WordKind::month, 7},
    {"aug", WordKind::month, 8},
    {"august", WordKind::month, 8},
    {"sep", WordKind::month, 9},
    {"sept", WordKind::month, 9},
    {"september", WordKind::month, 9},
    {"oct", WordKind::month, 10},
    {"october", WordKind::month, 10},
    {"nov", WordKind::month, 11},
    {"november", WordKind::month, 11},
    {"dec", WordKind::month, 12},
    {"december", WordKind::month, 12},
    {"mon", WordKind::weekday, 1},
    {"monday", WordKind::weekday, 1},
    {"tue", WordKind::weekday, 2},
    {"tues", WordKind::weekday, 2},
    {"tuesday", WordKind::weekday, 2},
    {"wed", WordKind::weekday, 3},
    {"wednesday", WordKind::weekday, 3},
    {"thu", WordKind::weekday, 4},
    {"thur", WordKind::weekday, 4},
    {"thurs", WordKind::weekday, 4},
    {"thursday", WordKind::weekday, 4},
    {"fri", WordKind::weekday, 5},
    {"friday", WordKind::weekday, 5},
    {"sat", WordKind::weekday, 6},
    {"saturday", WordKind::weekday, 6},
    {"sun", WordKind::weekday, 7},
    {"sunday", WordKind::weekday, 7},
    // Italian
    {"gen", WordKind::month, 1},
    {"gennaio", WordKind::month, 1},
    {"febbraio", WordKind::month, 2},
    {"marzo", WordKind::month, 3},
    {"aprile", WordKind::month, 4},
    {"mag", WordKind::month, 5},
    {"maggio", WordKind::month, 5},
    {"giu", WordKind::month, 6},
    {"giugno", WordKind::month, 6},
    {"lug", WordKind::month, 7},
    {"luglio", WordKind::month, 7},
    {"ago", WordKind::month, 8},
    {"agosto", WordKind::month, 8},
    {"set", WordKind::month, 9},
    {"settembre", WordKind::month, 9},
    {"ott", WordKind::month, 10},
    {"ottobre", WordKind::month, 10},
    {"novembre", WordKind::month, 11},
    {"dic", WordKind::month, 12},
    {"dicembre", WordKind::month, 12},
    {"lun", WordKind::weekday, 1},
    {"lunedì", WordKind::weekday, 1},
    {"lunedi", WordKind::weekday, 1},
    {"martedì", WordKind::weekday, 2},
    {"martedi", WordKind::weekday, 2},
    {"mer", WordKind::weekday, 3},
    {"mercoledì", WordKind::weekday, 3},
    {"mercoledi", WordKind::weekday, 3},
    {"gio", WordKind::weekday, 4},
    {"giovedì", WordKind::weekday, 4},
    {"giovedi", WordKind::weekday, 4},
    {"ven", WordKind::weekday, 5},
    {"venerdì", WordKind::weekday, 5},
    {"venerdi", WordKind::weekday, 5},
    {"sab", WordKind::weekday, 6},
    {"sabato", WordKind::weekday, 6},
    {"dom", WordKind::weekday, 7},
    {"domenica", WordKind::weekday, 7},
    // Portuguese
    {"janeiro", WordKind::month, 1},
    {"fev", WordKind::month, 2},
    {"fevereiro", WordKind::month, 2},
    {"março", WordKind::month, 3},
    {"marco", WordKind::month, 3},
    {"abr", WordKind::month, 4},
    {"abril", WordKind::month, 4},
    {"mai", WordKind::month, 5},
    {"maio", WordKind::month, 5},
    {"junho", WordKind::month, 6},
    {"julho", WordKind::month, 7},
    {"setembro", WordKind::month, 9},
    {"out", WordKind::month, 10},
    {"outubro", WordKind::month, 10},
    {"novembro", WordKind::month, 11},
    {"dez", WordKind::month, 12},
    {"dezembro", WordKind::month, 12},
    {"seg", WordKind::weekday, 1},
    {"segunda", WordKind::weekday, 1},
    {"ter", WordKind::weekday, 2},
    {"terça", WordKind::weekday, 2},
    {"terca", WordKind::weekday, 2},
    {"qua", WordKind::weekday, 3},
    {"quarta", WordKind::weekday, 3},
    {"qui", WordKind::weekday, 4},
    {"quinta", WordKind::weekday, 4},
    {"sex", WordKind::weekday, 5},
    {"sexta", WordKind::weekday, 5},
    {"sáb", WordKind::weekday, 6},
    {"sábado", WordKind::weekday, 6},
    {"domingo", WordKind::weekday, 7},
    {"feira", WordKind::filler, 0},
    // German (and Austrian Jänner, Feber)
    {"jän", WordKind::month, 1},
    {"jänner", WordKind::month, 1},
    {"januar", WordKind::month, 1},
    {"feber", WordKind::month, 2},
    {"februar", WordKind::month, 2},
    {"mär", WordKind::month, 3},
    {"märz", WordKind::month, 3},
    {"maerz", WordKind::month, 3},
    {"mrz", WordKind::month, 3},
    {"juni", WordKind::month, 6},
    {"juli", WordKind::month, 7},
    {"okt", WordKind::month, 10},
    {"oktober", WordKind::month, 10},
    {"dezember", WordKind::month, 12},
    {"mo", WordKind::weekday, 1},
    {"montag", WordKind::weekday, 1},
    {"di", WordKind::weekday, 2},
    {"dienstag", WordKind::weekday, 2},
    {"mi", WordKind::weekday, 3},
    {"mittwoch", WordKind::weekday, 3},
    {"do", WordKind::weekday, 4},
    {"donnerstag", WordKind::weekday, 4},
    {"fr", WordKind::weekday, 5},
    {"freitag", WordKind::weekday, 5},
    {"sa", WordKind::weekday, 6},
    {"samstag", WordKind::weekday, 6},
    {"sonnabend", WordKind::weekday, 6},
    {"so", WordKind::weekday, 7},
    {"sonntag", WordKind::weekday, 7},
    // Spanish
    {"ene", WordKind::month, 1},
    {"enero", WordKind::month, 1},
    {"febrero", WordKind::month, 2},
    {"mayo", WordKind::month, 5},
    {"junio", WordKind::month, 6},
    {"julio", WordKind::month, 7},
    {"septiembre", WordKind::month, 9},
    {"setiembre", WordKind::month, 9},
    {"octubre", WordKind::month, 10},
    {"noviembre", WordKind::month, 11},
    {"diciembre", WordKind::month, 12},
    {"lunes", WordKind::weekday, 1},
    {"martes", WordKind::weekday, 2},
    {"mié", WordKind::weekday, 3},
    {"mie", WordKind::weekday, 3},
    {"miércoles", WordKind::weekday, 3},
    {"miercoles", WordKind::weekday, 3},
    {"jue", WordKind::weekday, 4},
    {"jueves", WordKind::weekday, 4},
    {"vie", WordKind::weekday, 5},
    {"viernes", WordKind::weekday, 5},
    {"sábado", WordKind::weekday, 6},
    // French
    {"janv", WordKind::month, 1},
    {"janvier", WordKind::month, 1},
    {"févr", WordKind::month, 2},
    {"fevr", WordKind::month, 2},
    {"fév", WordKind::month, 2},
    {"février", WordKind::month, 2},
    {"fevrier", WordKind::month, 2},
    {"mars", WordKind::month, 3},
    {"avr", WordKind::month, 4},
    {"avril", WordKind::month, 4},
    {"juin", WordKind::month, 6},
    {"juil", WordKind::month, 7},
    {"juillet", WordKind::month, 7},
    {"août", WordKind::month, 8},
    {"aout", WordKind::month, 8},
    {"septembre", WordKind::month, 9},
    {"octobre", WordKind::month, 10},
    {"déc", WordKind::month, 12},
    {"décembre", WordKind::month, 12},
    {"decembre", WordKind::month, 12},
    {"lundi", WordKind::weekday, 1},
    {"mardi", WordKind::weekday, 2},
    {"mercredi", WordKind::weekday, 3},
    {"jeu", WordKind::weekday, 4},
    {"jeudi", WordKind::weekday, 4},
    {"vendredi", WordKind::weekday, 5},
    {"sam", WordKind::weekday, 6},
    {"samedi", WordKind::weekday, 6},
    {"dim", WordKind::weekday, 7},
    {"dimanche", WordKind::weekday, 7},
    // Dutch forms that differ from all of the above
    {"mrt", WordKind::month, 3},
    {"maart", WordKind::month, 3},
    {"mei", WordKind::month, 5},
    // Meridiem
    {"am", WordKind::meridiem_am, 0},
    {"a.m", WordKind::meridiem_am, 0},
    {"pm", WordKind::meridiem_pm, 0},
    {"p.m", WordKind::meridiem_pm, 0},
    // Zones, offsets in minutes. RFC 822 section 5 names UT, GMT and the US zones; the others are the
    // unambiguous abbreviations feeds use. Ambiguous ones (IST, AST) are left out on purpose.
    {"ut", WordKind::zone, 0},
    {"utc", WordKind::zone, 0},
    {"gmt", WordKind::zone, 0},
    {"est", WordKind::zone, -300},
    {"edt", WordKind::zone, -240},
    {"cst", WordKind::zone, -360},
    {"cdt", WordKind::zone, -300},
    {"mst", WordKind::zone, -420},
    {"mdt", WordKind::zone, -360},
    {"pst", WordKind::zone, -480},
    {"pdt", WordKind::zone, -420},
    {"akst", WordKind::zone, -540},
    {"akdt", WordKind::zone, -480},
    {"hst", WordKind::zone, -600},
    {"wet", WordKind::zone, 0},
    {"west", WordKind::zone, 60},
    {"bst", WordKind::zone, 60},
    {"cet", WordKind::zone, 60},
    {"cest", WordKind::zone, 120},
    {"met", WordKind::zone, 60},
    {"mest", WordKind::zone, 120},
    {"mez", WordKind::zone, 60},
    {"mesz", WordKind::zone, 120},
    {"eet", WordKind::zone, 120},
    {"eest", WordKind::zone, 180},
    {"msk", WordKind::zone, 180},
    {"jst", WordKind::zone, 540},
    {"kst", WordKind::zone, 540},
    {"hkt", WordKind::zone, 480},
    {"sgt", WordKind::zone, 480},
    {"awst", WordKind::zone, 480},
    {"acst", WordKind::zone, 570},
    {"acdt", WordKind::zone, 630},
    {"aest", WordKind::zone, 600},
    {"aedt", WordKind::zone, 660},
    {"nzst", WordKind::zone, 720},
    {"nzdt", WordKind::zone, 780},
});

const auto& sorted_words() {
  static const auto words = [] {
    auto sorted = kWordList;
    std::sort(sorted.begin(), sorted.end(), [](const Word& a, const Word& b) { return a.name < b.name; });
    return sorted;
  }();
  return words;
}

constexpr std::size_t kLongestWord = 24;

// Lower-cases ASCII and the Latin-1 capitals (À-Þ, UTF-8 C3 80-9E) into buf; drops trailing dots
// ("janv.", "ven."). Returns empty when the word cannot be a name we know.
std::string_view fold_word(std::string_view word, std::array<char, kLongestWord>& buf) {
  while (!word.empty() && word.back() == '.') word.remove_suffix(1);
  if (word.empty() || word.size() > buf.size()) return {};
  for (std::size_t i = 0; i < word.size(); ++i) {
    char c = word[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (i > 0 && word[i - 1] == '\xC3' && static_cast<unsigned char>(c) >= 0x80 &&
        static_cast<unsigned char>(c) <= 0x9E && static_cast<unsigned char>(c) != 0x97) {
      c = static_cast<char>(static_cast<unsigned char>(c) + 0x20);
    }
    buf[i] = c;
  }
  return {buf.data(), word.size()};
}

const Word* find_word(std::string_view word) {
  std::array<char, kLongestWord> buf;
  const std::string_view folded = fold_word(word, buf);
  if (folded.empty()) return nullptr;
  const auto& words = sorted_words();
  const auto it = std::lower_bound(words.begin(), words.end(), folded,
                                   [](const Word& w, std::string_view name) { return w.name < name; });
  return (it != words.end() && it->name == folded) ? &*it : nullptr;
}

// A numeric offset after its sign: "hhmm", "hh:mm", "hh" or "h" (RFC 822 writes 4 digits, RFC 3339
// hh:mm, and feeds everything else). Offsets past 18 hours exist nowhere and mean a misread.
std::optional<int> read_offset_digits(std::string_view text) {
  std::size_t pos = 0;
  int hours = 0;
  int minutes = 0;
  const std::size_t digits = std::find_if_not(text.begin(), text.end(), is_digit) - text.begin();
  if (digits == 4) {
    hours = (text[0] - '0') * 10 + (text[1] - '0');
    minutes = (text[2] - '0') * 10 + (text[3] - '0');
    pos = 4;
  } else if (digits == 1 || digits == 2) {
    hours = digits == 1 ? text[0] - '0' : (text[0] - '0') * 10 + (text[1] - '0');
    pos = digits;
    if (pos < text.size() && text[pos] == ':') {
      ++pos;
      auto m = read_number(text, pos, 2, 2);
      if (!m) return std::nullopt;
      minutes = *m;
    }
  } else {
    return std::nullopt;
  }
  if (pos != text.size() || hours > 18 || minutes > 59) return std::nullopt;
  return (hours * 60 + minutes) * 60;
}

// A whole zone token: Z, a numeric offset, a zone name, a name with an offset ("GMT+2", "UTC-05:00"),
// or a military letter. RFC 5322 section 4.3: military zones were specified with the wrong sign in
// RFC 822 and SHOULD be taken as -0000 (UTC, offset unknown); we do that.
std::optional<int> read_zone(std::string_view text) {
  if (text.empty()) return std::nullopt;
  if (text.size() == 1 && is_ascii_letter(text[0]) && text[0] != 'j' && text[0] != 'J') return 0;
  if (text[0] == '+' || text[0] == '-') {
    auto offset = read_offset_digits(text.substr(1));
    if (!offset) return std::nullopt;
    return text[0] == '-' ? -*offset : *offset;
  }
  const std::size_t letters = std::find_if_not(text.begin(), text.end(), is_ascii_letter) - text.begin();
  const Word* word = find_word(text.substr(0, letters));
  if (word == nullptr || word->kind != WordKind::zone) return std::nullopt;
  if (letters == text.size()) return word->value * 60;
  auto extra = read_zone(text.substr(letters));
  if (!extra || (text[letters] != '+' && text[letters] != '-')) return std::nullopt;
  return word->value * 60 + *extra;
}

// "hh:mm[:ss[.fraction]]" at text[pos]; 1-digit hours are common, 1-digit minutes are not real.
bool read_clock(std::string_view text, std::size_t& pos, DateFields& fields) {
  auto hour = read_number(text, pos, 1, 2);
  if (!hour || pos >= text.size() || text[pos] != ':') return false;
  ++pos;
  auto minute = read_number(text, pos, 2, 2);
  if (!minute) return false;
  fields.hour = *hour;
  fields.minute = *minute;
  fields.second = 0;
  if (pos < text.size() && text[pos] == ':') {
    ++pos;
    auto second = read_number(text, pos, 2, 2);
    if (!second) return false;
    fields.second = *second;
    if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
      ++pos;
      const std::size_t start = pos;
      while (pos < text.size() && is_digit(text[pos])) ++pos;  // sub-second precision is dropped
      if (pos == start) return false;
    }
  }
  return true;
}

// RFC 3339 / W3DTF / ISO 8601 extended: YYYY[-MM[-DD[(T| )hh:mm[:ss[.f]][zone]]]], '/' accepted
// for '-', no zone read as UTC.
std::optional<Instant> read_iso8601(std::string_view text) {
  DateFields fields;
  std::size_t pos = 0;
  auto year = read_number(text, pos, 4, 4);
  if (!year) return std::nullopt;
  fields.year = *year;
  fields.month = 1;
  fields.day = 1;
  if (pos == text.size()) return to_instant(fields);
  const char separator = text[pos];
  if (separator != '-' && separator != '/') return std::nullopt;
  ++pos;
  auto month = read_number(text, pos, 1, 2);
  if (!month) return std::nullopt;
  fields.month = *month;
  if (pos == text.size()) return to_instant(fields);
  if (text[pos] != separator) return std::nullopt;
  ++pos;
  auto day = read_number(text, pos, 1, 2);
  if (!day) return std::nullopt;
  fields.day = *day;
  if (pos == text.size()) return to_instant(fields);
  if (text[pos] == 'T' || text[pos] == 't') {
    ++pos;
  } else if (is_space(text[pos])) {
    while (pos < text.size() && is_space(text[pos])) ++pos;
  } else {
    return std::nullopt;
  }
  if (!read_clock(text, pos, fields)) return std::nullopt;
  while (pos < text.size() && is_space(text[pos])) ++pos;
  if (pos < text.size()) {
    auto zone = read_zone(text.substr(pos));
    if (!zone) return std::nullopt;
    fields.offset_seconds = *zone;
  }
  return to_instant(fields);
}

bool is_word_byte(char c) { return is_ascii_letter(c) || static_cast<unsigned char>(c) >= 0x80; }

// "21-Jan-2022" and "segunda-feira" separate words with a dash; "-0500", "10:00-05:00" and "GMT-5"
// use it as an offset's sign.
bool is_date_dash(std::string_view text, std::size_t i) {
  const char before = text[i - 1];
  const char after = text[i + 1];
  if (is_word_byte(after)) return is_word_byte(before) || is_digit(before);
  if (!is_digit(after) || !is_word_byte(before)) return false;
  std::size_t start = i;
  while (start > 0 && is_word_byte(text[start - 1])) --start;
  const Word* word = find_word(text.substr(start, i - start));
  return word == nullptr || word->kind != WordKind::zone;
}

// Copies the date into buf with the separators that carry no meaning made spaces: commas, comments in
// parentheses ("(PST)" after an offset), and the dashes of "21-Jan-2022" (but not an offset's sign).
std::string_view normalise_separators(std::string_view text, std::array<char, 128>& buf) {
  if (text.size() > buf.size()) return {};
  int comment_depth = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '(') ++comment_depth;
    const bool in_comment = comment_depth > 0;
    if (c == ')' && comment_depth > 0) --comment_depth;
    if (in_comment || c == ',' || is_space(c)) {
      c = ' ';
    } else if (c == '-' && i > 0 && i + 1 < text.size() && is_date_dash(text, i)) {
      c = ' ';
    }
    buf[i] = c;
  }
  return {buf.data(), text.size()};
}

struct Rfc822Reader {
  DateFields fields;
  bool has_time = false;
  bool has_zone = false;
  bool has_definite_month = false;

  bool number(std::string_view token) {
    while (!token.empty() && token.back() == '.') token.remove_suffix(1);  // German "21."
    if (token.empty() || token.size() > 4 || !std::all_of(token.begin(), token.end(), is_digit)) return false;
    int value = 0;
    for (char c : token) value = value * 10 + (c - '0');
    if (token.size() >= 3) {
      if (fields.year >= 0) return false;
      // RFC 5322 section 4.3: a three-digit year is 1900 + it.
      fields.year = token.size() == 3 ? 1900 + value : value;
      return true;
    }
    if (fields.day == 0) {
      fields.day = value;
    } else if (fields.year < 0) {
      // RFC 5322 section 4.3: two-digit years 00-49 are 2000-2049, 50-99 are 1950-1999.
      fields.year = value < 50 ? 2000 + value : 1900 + value;
    } else {
      return false;
    }
    return true;
  }

  bool clock(std::string_view token) {
    if (has_time) return false;
    std::size_t pos = 0;
    if (!read_clock(token, pos, fields)) return false;
    has_time = true;
    if (pos < token.size()) return zone(token.substr(pos));
    return true;
  }

  bool zone(std::string_view token) {
    if (has_zone) return false;
    auto offset = read_zone(token);
    if (!offset) return false;
    fields.offset_seconds = *offset;
    has_zone = true;
    return true;
  }

  bool meridiem(bool pm) {
    if (!has_time || fields.hour < 1 || fields.hour > 12) return false;
    fields.hour = (fields.hour % 12) + (pm ? 12 : 0);
    return true;
  }

  bool word(std::string_view token, int& march_count) {
    const Word* word = find_word(token);
    if (word == nullptr) return zone(token);  // "GMT+1", military letters
    switch (word->kind) {
      case WordKind::month:
        if (has_definite_month) return false;
        has_definite_month = true;
        fields.month = word->value;
        return true;
      case WordKind::month_or_weekday:
        ++march_count;
        return true;
      case WordKind::weekday:
      case WordKind::filler:
        return true;  // a weekday that contradicts the date is a feed bug: the date wins
      case WordKind::zone:
        return zone(token);
      case WordKind::meridiem_am:
        return meridiem(false);
      case WordKind::meridiem_pm:
        return meridiem(true);
    }
    return false;
  }
};

// RFC 822 / RFC 5322 dates and their relatives: "[weekday,] day month year [time] [zone]", also
// "month day, year" and ctime's "weekday month day time zone year", in any of the languages above.
std::optional<Instant> read_rfc822(std::string_view text) {
  std::array<char, 128> buf;
  const std::string_view normalised = normalise_separators(text, buf);
  if (normalised.empty()) return std::nullopt;
  Rfc822Reader reader;
  int march_count = 0;
  std::size_t pos = 0;
  while (pos < normalised.size()) {
    if (normalised[pos] == ' ') {
      ++pos;
      continue;
    }
    const std::size_t end = std::min(normalised.find(' ', pos), normalised.size());
    const std::string_view token = normalised.substr(pos, end - pos);
    pos = end;
    bool ok = false;
    if (is_digit(token[0])) {
      ok = token.find(':') != std::string_view::npos ? reader.clock(token) : reader.number(token);
    } else if (token[0] == '+' || token[0] == '-') {
      ok = reader.zone(token);
    } else if (is_word_byte(token[0])) {
      ok = reader.word(token, march_count);
    }
    if (!ok) return std::nullopt;
  }
  // "mar" is a weekday when another word names the month, else the month (once; twice means
  // "Mar, 01 Mar 2022", weekday then month).
  if (!reader.has_definite_month) {
    if (march_count == 0 || march_count > 2) return std::nullopt;
    reader.fields.month = 3;
  }
  if (reader.fields.day == 0 || reader.fields.year < 0) return std::nullopt;
  return to_instant(reader.fields);
}

bool looks_like_iso8601(std::string_view text) {
  return text.size() >= 4 && is_digit(text[0]) && is_digit(text[1]) && is_digit(text[2]) &&
         is_digit(text[3]) && (text.size() == 4 || text[4] == '-' || text[4] == '/');
}

void append_digits(std::string& out, long value, int width) {
  std::array<char, 24> digits;
  int count = 0;
  const bool negative = value < 0;
  unsigned long magnitude =
      negative ? 0UL - static_cast<unsigned long>(value) : static_cast<unsigned long>(value);
  do {
    digits[count++] = static_cast<char>('0' + magnitude % 10);
    magnitude /= 10;
  } while (magnitude > 0);
  if (negative) out.push_back('-');
  for (int i = count; i < width; ++i) out.push_back('0');
  while (count > 0) out.push_back(digits[--count]);
}

}  // namespace

std::optional<Instant> parse_feed_date(std::string_view text) {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  if (looks_like_iso8601(text)) return read_iso8601(text);
  return read_rfc822(text);
}

std::string format_rfc3339(Instant instant) {
  const auto day = date::floor<date::days>(instant);
  const date::year_month_day ymd{day};
  const date::hh_mm_ss<std::chrono::seconds> time{instant - day};
  std::string out;
  out.reserve(20);
  append_digits(out, static_cast<int>(ymd.year()), 4);
  out.push_back('-');
  append_digits(out, static_cast<unsigned>(ymd.month()), 2);
  out.push_back('-');
  append_digits(out, static_cast<unsigned>(ymd.day()), 2);
  out.push_back('T');
  append_digits(out, time.hours().count(), 2);
  out.push_back(':');
  append_digits(out, time.minutes().count(), 2);
  out.push_back(':');
  append_digits(out, time.seconds().count(), 2);
  out.push_back('Z');
  return out;
}

}  // namespace newswatch
