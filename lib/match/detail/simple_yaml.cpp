#include "match/detail/simple_yaml.hpp"

#include <algorithm>
#include <array>

namespace newswatch::match_detail {

bool SimpleYamlNode::IsMap() const {
  return document_ && document_->nodes_[index_].kind == SimpleYamlDocument::Kind::map;
}
bool SimpleYamlNode::IsSequence() const {
  return document_ && document_->nodes_[index_].kind == SimpleYamlDocument::Kind::sequence;
}
bool SimpleYamlNode::IsScalar() const {
  return document_ && document_->nodes_[index_].kind == SimpleYamlDocument::Kind::scalar;
}

const std::string& SimpleYamlNode::Scalar() const {
  static const std::string kEmpty;
  return IsScalar() ? document_->nodes_[index_].scalar : kEmpty;
}

SimpleYamlMark SimpleYamlNode::Mark() const {
  return document_ ? document_->nodes_[index_].mark : SimpleYamlMark{};
}

std::size_t SimpleYamlNode::size() const {
  if (!document_) return 0;
  const auto& data = document_->nodes_[index_];
  if (data.kind == SimpleYamlDocument::Kind::map) return data.children.size() / 2;
  if (data.kind == SimpleYamlDocument::Kind::sequence) return data.children.size();
  return 0;
}

SimpleYamlNode SimpleYamlNode::operator[](std::string_view key) const {
  if (!IsMap()) return {};
  const auto& children = document_->nodes_[index_].children;
  for (std::size_t i = 0; i + 1 < children.size(); i += 2) {
    const auto& key_data = document_->nodes_[children[i]];
    if (key_data.kind == SimpleYamlDocument::Kind::scalar && key_data.scalar == key)
      return SimpleYamlNode(document_, children[i + 1]);
  }
  return {};
}

SimpleYamlNode::Iterator SimpleYamlNode::begin() const { return Iterator(document_, index_, 0); }

SimpleYamlNode::Iterator SimpleYamlNode::end() const {
  if (!document_) return Iterator(nullptr, 0, 0);
  const auto& data = document_->nodes_[index_];
  return Iterator(document_, index_,
                  data.kind == SimpleYamlDocument::Kind::scalar ? 0 : data.children.size());
}

SimpleYamlNode::Entry SimpleYamlNode::Iterator::operator*() const {
  const auto& data = document_->nodes_[node_];
  Entry entry;
  if (data.kind == SimpleYamlDocument::Kind::map) {
    entry.first = SimpleYamlNode(document_, data.children[position_]);
    entry.second = SimpleYamlNode(document_, data.children[position_ + 1]);
  } else {
    static_cast<SimpleYamlNode&>(entry) = SimpleYamlNode(document_, data.children[position_]);
  }
  return entry;
}

SimpleYamlNode::Iterator& SimpleYamlNode::Iterator::operator++() {
  position_ += document_->nodes_[node_].kind == SimpleYamlDocument::Kind::map ? 2 : 1;
  return *this;
}

bool decode_yaml_bool(const SimpleYamlNode& node, bool& value) {
  if (!node.IsScalar()) return false;
  const std::string& text = node.Scalar();
  const auto all = [&](auto predicate, std::size_t from) {
    return std::all_of(text.begin() + static_cast<std::ptrdiff_t>(from), text.end(), predicate);
  };
  const auto lower = [](char c) { return !(c >= 'A' && c <= 'Z'); };
  const auto upper = [](char c) { return !(c >= 'a' && c <= 'z'); };
  const bool flexible_case =
      all(lower, 0) || all(upper, 0) || (!text.empty() && upper(text[0]) && all(lower, 1));
  if (!flexible_case) return false;
  std::string folded = text;
  for (char& c : folded) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
  constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kNames = {
      {{"y", "n"}, {"yes", "no"}, {"true", "false"}, {"on", "off"}}};
  for (const auto& [true_name, false_name] : kNames) {
    if (folded == true_name) {
      value = true;
      return true;
    }
    if (folded == false_name) {
      value = false;
      return true;
    }
  }
  return false;
}

// Reads the subset line by line; every method returns false (or kNone) to refuse the document.
class SimpleYamlReader {
 public:
  explicit SimpleYamlReader(std::string_view text) : text_(text) {}

  std::optional<SimpleYamlDocument> read() {
    if (!split_lines()) return std::nullopt;
    document_.nodes_.reserve(lines_.size() * 3);
    skip_empty_lines();
    if (line_ == lines_.size()) return std::nullopt;  // an empty document is yaml-cpp's Null
    const std::uint32_t root = block_node(0);
    if (root == kNone) return std::nullopt;
    skip_empty_lines();
    if (line_ != lines_.size()) return std::nullopt;
    // The root must be node 0 for SimpleYamlDocument::root(): nodes are created parent first.
    if (root != 0) return std::nullopt;
    return std::move(document_);
  }

 private:
  static constexpr std::uint32_t kNone = 0xFFFFFFFFu;
  using Kind = SimpleYamlDocument::Kind;

  struct Line {
    std::size_t start;  // byte offset of the line
    std::size_t end;    // before its '\n'
    int indent;         // leading spaces
    bool empty;         // blank or only a comment
  };

  bool split_lines() {
    if (text_.size() >= 3 && text_.compare(0, 3, "\xEF\xBB\xBF") == 0) return false;  // a BOM
    std::size_t start = 0;
    while (start <= text_.size()) {
      std::size_t end = text_.find('\n', start);
      if (end == std::string_view::npos) end = text_.size();
      Line line{start, end, 0, false};
      std::size_t i = start;
      while (i < end && text_[i] == ' ') ++i;
      line.indent = static_cast<int>(i - start);
      line.empty = i == end || text_[i] == '#';
      for (std::size_t k = start; k < end; ++k) {
        const char c = text_[k];
        if (c == '\t' || c == '\r' || c == '\0') return false;
      }
      if (!line.empty && line.indent == 0 &&
          (starts_with(i, end, "---") || starts_with(i, end, "...") || text_[i] == '%'))
        return false;
      if (end > start || end < text_.size()) lines_.push_back(line);
      if (end == text_.size()) break;
      start = end + 1;
    }
    return true;
  }

  bool starts_with(std::size_t at, std::size_t end, std::string_view prefix) const {
    return end - at >= prefix.size() && text_.compare(at, prefix.size(), prefix) == 0;
  }

  void skip_empty_lines() {
    while (line_ < lines_.size() && lines_[line_].empty) ++line_;
  }

  std::uint32_t new_node(Kind kind, std::size_t at) {
    SimpleYamlDocument::Data data{kind, mark_of(at), {}, {}};
    document_.nodes_.push_back(std::move(data));
    return static_cast<std::uint32_t>(document_.nodes_.size() - 1);
  }

  SimpleYamlMark mark_of(std::size_t at) const {
    const Line& line = lines_[line_];
    return {static_cast<int>(line_), static_cast<int>(at - line.start)};
  }

  const Line& line() const { return lines_[line_]; }

  // The block node whose first line is the current one, indented exactly `indent`.
  std::uint32_t block_node(int indent) {
    const Line& current = line();
    if (current.indent != indent) return kNone;
    const std::size_t at = current.start + static_cast<std::size_t>(indent);
    if (is_sequence_entry(at, current.end)) return block_sequence(indent);
    if (key_end(at, current.end) != std::string_view::npos) return block_map(at);
    return kNone;
  }

  bool is_sequence_entry(std::size_t at, std::size_t end) const {
    return at < end && text_[at] == '-' && (at + 1 == end || text_[at + 1] == ' ');
  }

  std::uint32_t block_sequence(int indent) {
    const std::uint32_t node = new_node(Kind::sequence, line().start + static_cast<std::size_t>(indent));
    while (line_ < lines_.size()) {
      const Line& current = line();
      const std::size_t dash = current.start + static_cast<std::size_t>(indent);
      if (current.indent != indent || !is_sequence_entry(dash, current.end)) break;
      std::size_t at = dash + 1;
      while (at < current.end && text_[at] == ' ') ++at;
      if (at == current.end || text_[at] == '#') return kNone;  // an item on the next lines
      if (is_sequence_entry(at, current.end)) return kNone;     // "- - x"
      std::uint32_t item = kNone;
      if (key_end(at, current.end) != std::string_view::npos) {
        item = block_map(at);
      } else {
        item = inline_value(at);
        if (item == kNone || !end_of_line()) return kNone;
      }
      if (item == kNone) return kNone;
      document_.nodes_[node].children.push_back(item);
      skip_empty_lines();
      if (line_ < lines_.size() && line().indent > indent) return kNone;
    }
    return node;
  }

  // A block map whose first key starts at byte `at` of the current line; its keys are all at that
  // column.
  std::uint32_t block_map(std::size_t at) {
    const int column = static_cast<int>(at - line().start);
    const std::uint32_t node = new_node(Kind::map, at);
    bool first = true;
    while (line_ < lines_.size()) {
      const Line& current = line();
      std::size_t key_at = at;
      if (!first) {
        if (current.indent != column) break;
        key_at = current.start + static_cast<std::size_t>(column);
        if (is_sequence_entry(key_at, current.end)) break;
      }
      first = false;
      const std::size_t colon = key_end(key_at, current.end);
      if (colon == std::string_view::npos) return kNone;
      const std::uint32_t key = key_scalar(key_at, colon);
      if (key == kNone) return kNone;
      for (std::size_t i = 0; i < document_.nodes_[node].children.size(); i += 2) {
        if (document_.nodes_[document_.nodes_[node].children[i]].scalar == document_.nodes_[key].scalar)
          return kNone;  // a duplicate key
      }
      std::size_t value_at = colon + 1;
      while (value_at < current.end && text_[value_at] == ' ') ++value_at;
      std::uint32_t value = kNone;
      if (value_at == current.end || text_[value_at] == '#') {
        ++line_;
        skip_empty_lines();
        if (line_ == lines_.size()) return kNone;
        const Line& next = line();
        if (next.indent > column) {
          value = block_node(next.indent);
        } else if (next.indent == column &&
                   is_sequence_entry(next.start + static_cast<std::size_t>(column), next.end)) {
          value = block_sequence(column);
        }
        if (value == kNone) return kNone;
      } else {
        value = inline_value(value_at);
        if (value == kNone || !end_of_line()) return kNone;
      }
      document_.nodes_[node].children.push_back(key);
      document_.nodes_[node].children.push_back(value);
      skip_empty_lines();
      if (line_ < lines_.size() && line().indent > column) return kNone;
    }
    return node;
  }

  // The ':' that ends a block key starting at `at` ("key:" then a space or the line's end), or npos.
  std::size_t key_end(std::size_t at, std::size_t end) const {
    if (at >= end) return std::string_view::npos;
    const char c = text_[at];
    if (c == '[' || c == '{') return std::string_view::npos;  // a flow collection, not a key
    if (c == '"' || c == '\'') {
      const std::size_t close = quoted_end(at, end);
      if (close == std::string_view::npos || close + 1 >= end || text_[close + 1] != ':')
        return std::string_view::npos;
      if (close + 2 < end && text_[close + 2] != ' ') return std::string_view::npos;
      return close + 1;
    }
    for (std::size_t i = at; i < end; ++i) {
      if (text_[i] == ':' && (i + 1 == end || text_[i + 1] == ' ')) return i;
      if (text_[i] == '#' && i > at && text_[i - 1] == ' ') return std::string_view::npos;
    }
    return std::string_view::npos;
  }

  std::uint32_t key_scalar(std::size_t at, std::size_t colon) {
    if (text_[at] == '"' || text_[at] == '\'') {
      std::size_t after = at;
      const std::uint32_t node = quoted_scalar(at, line().end, after);
      return after == colon ? node : kNone;
    }
    std::size_t end = colon;
    while (end > at && text_[end - 1] == ' ') --end;
    return plain_scalar(at, end, false);
  }

  // After a value: only spaces and a comment may follow; then the next line.
  bool end_of_line() {
    const Line& current = line();
    std::size_t i = cursor_;
    while (i < current.end && text_[i] == ' ') ++i;
    if (i < current.end && !(text_[i] == '#' && i > current.start && text_[i - 1] == ' ')) return false;
    ++line_;
    return true;
  }

  // A scalar or flow collection starting at `at` on the current line; leaves cursor_ after it.
  std::uint32_t inline_value(std::size_t at) {
    const std::size_t end = line().end;
    const char c = text_[at];
    if (c == '[' || c == '{') return flow_collection(at, end);
    if (c == '"' || c == '\'') return quoted_scalar(at, end, cursor_);
    // A plain scalar runs to the line's end or a comment.
    std::size_t stop = at;
    while (stop < end && !(text_[stop] == '#' && text_[stop - 1] == ' ')) ++stop;
    std::size_t trimmed = stop;
    while (trimmed > at && text_[trimmed - 1] == ' ') --trimmed;
    cursor_ = stop;
    return plain_scalar(at, trimmed, false);
  }

  std::size_t quoted_end(std::size_t at, std::size_t end) const {
    const char quote = text_[at];
    for (std::size_t i = at + 1; i < end; ++i) {
      if (quote == '"' && text_[i] == '\\') {
        const std::size_t length = escape_length(i, end);
        if (length == 0) return std::string_view::npos;  // other escapes are yaml-cpp's job
        i += length - 1;
        continue;
      }
      if (text_[i] != quote) continue;
      if (quote == '\'' && i + 1 < end && text_[i + 1] == '\'') {
        ++i;
        continue;
      }
      return i;
    }
    return std::string_view::npos;
  }

  static int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  std::uint32_t hex_value(std::size_t at, std::size_t digits) const {
    std::uint32_t value = 0;
    for (std::size_t k = 0; k < digits; ++k)
      value = value * 16 + static_cast<std::uint32_t>(hex_digit(text_[at + k]));
    return value;
  }

  // The length of the escape at text_[i] == '\\' that this reader decodes as yaml-cpp does — \", \\,
  // \xHH, \uHHHH, \UHHHHHHHH of a code point that is no surrogate and at most U+10FFFF (yaml-cpp's
  // Escape) — or 0.
  std::size_t escape_length(std::size_t i, std::size_t end) const {
    if (i + 1 >= end) return 0;
    const char kind = text_[i + 1];
    if (kind == '"' || kind == '\\') return 2;
    const std::size_t digits = kind == 'x' ? 2 : kind == 'u' ? 4 : kind == 'U' ? 8 : 0;
    if (digits == 0 || i + 2 + digits > end) return 0;
    for (std::size_t k = 0; k < digits; ++k) {
      if (hex_digit(text_[i + 2 + k]) < 0) return 0;
    }
    const std::uint32_t value = hex_value(i + 2, digits);
    if ((value >= 0xD800 && value <= 0xDFFF) || value > 0x10FFFF) return 0;
    return 2 + digits;
  }

  static void append_code_point(std::uint32_t cp, std::string& out) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  std::uint32_t quoted_scalar(std::size_t at, std::size_t end, std::size_t& after) {
    const std::size_t close = quoted_end(at, end);
    if (close == std::string_view::npos) return kNone;
    const std::uint32_t node = new_node(Kind::scalar, at);
    std::string& value = document_.nodes_[node].scalar;
    for (std::size_t i = at + 1; i < close; ++i) {
      if (text_[at] == '"' && text_[i] == '\\') {
        const std::size_t length = escape_length(i, close);
        if (length == 2) {
          value.push_back(text_[i + 1]);  // \" or \\ -
        } else {
          append_code_point(hex_value(i + 2, length - 2), value);
        }
        i += length - 1;
        continue;
      }
      value.push_back(text_[i]);
      if (text_[at] == '\'' && text_[i] == '\'') ++i;  // '' is one quote
    }
    after = close + 1;
    return node;
  }

  // A plain scalar [at, end) that reads as itself in YAML: no indicator first, nothing that would
  // end it early or make it a null, a number is fine (the parser reads scalars as text).
  std::uint32_t plain_scalar(std::size_t at, std::size_t end, bool in_flow) {
    if (at >= end) return kNone;
    const std::string_view value = text_.substr(at, end - at);
    constexpr std::string_view kIndicators = "-?:,[]{}#&*!|>'\"%@`";
    if (kIndicators.find(value[0]) != std::string_view::npos) return kNone;
    if (value == "~" || value == "null" || value == "Null" || value == "NULL") return kNone;
    for (std::size_t i = 0; i < value.size(); ++i) {
      const char c = value[i];
      if (c == ':' && (i + 1 == value.size() || value[i + 1] == ' ')) return kNone;
      if (c == '#' && i > 0 && value[i - 1] == ' ') return kNone;
      if (in_flow && (c == ',' || c == '[' || c == ']' || c == '{' || c == '}' || c == ':')) return kNone;
    }
    const std::uint32_t node = new_node(Kind::scalar, at);
    document_.nodes_[node].scalar = std::string(value);
    return node;
  }

  // A single-line flow sequence or map at `at`; leaves cursor_ after its closing bracket.
  std::uint32_t flow_collection(std::size_t at, std::size_t end) {
    const bool map = text_[at] == '{';
    const char close = map ? '}' : ']';
    const std::uint32_t node = new_node(map ? Kind::map : Kind::sequence, at);
    std::size_t i = at + 1;
    skip_spaces(i, end);
    if (i < end && text_[i] == close) {
      cursor_ = i + 1;
      return node;
    }
    while (true) {
      if (map) {
        const std::uint32_t key = flow_scalar(i, end);
        if (key == kNone || i >= end || text_[i] != ':' || i + 1 >= end || text_[i + 1] != ' ') return kNone;
        for (std::size_t k = 0; k < document_.nodes_[node].children.size(); k += 2) {
          if (document_.nodes_[document_.nodes_[node].children[k]].scalar == document_.nodes_[key].scalar)
            return kNone;
        }
        i += 2;
        skip_spaces(i, end);
        std::uint32_t value = kNone;
        if (i < end && text_[i] == '[') {
          value = flow_collection(i, end);
          i = cursor_;
          skip_spaces(i, end);
        } else {
          value = flow_scalar(i, end);
        }
        if (value == kNone) return kNone;
        document_.nodes_[node].children.push_back(key);
        document_.nodes_[node].children.push_back(value);
      } else {
        std::uint32_t item = kNone;
        if (i < end && text_[i] == '{') {
          item = flow_collection(i, end);
          i = cursor_;
          skip_spaces(i, end);
        } else {
          item = flow_scalar(i, end);
        }
        if (item == kNone) return kNone;
        document_.nodes_[node].children.push_back(item);
      }
      if (i >= end) return kNone;
      if (text_[i] == close) {
        cursor_ = i + 1;
        return node;
      }
      if (text_[i] != ',') return kNone;
      ++i;
      skip_spaces(i, end);
      if (i >= end || text_[i] == close) return kNone;  // a trailing comma
    }
  }

  void skip_spaces(std::size_t& i, std::size_t end) const {
    while (i < end && text_[i] == ' ') ++i;
  }

  // A scalar inside a flow collection at i; leaves i after it and any spaces.
  std::uint32_t flow_scalar(std::size_t& i, std::size_t end) {
    if (i >= end) return kNone;
    std::uint32_t node = kNone;
    if (text_[i] == '"' || text_[i] == '\'') {
      node = quoted_scalar(i, end, i);
    } else {
      const std::size_t start = i;
      while (i < end && text_[i] != ',' && text_[i] != ']' && text_[i] != '}' &&
             !(text_[i] == ':' && i + 1 < end && text_[i + 1] == ' '))
        ++i;
      std::size_t trimmed = i;
      while (trimmed > start && text_[trimmed - 1] == ' ') --trimmed;
      node = plain_scalar(start, trimmed, true);
    }
    skip_spaces(i, end);
    return node;
  }

  std::string_view text_;
  std::vector<Line> lines_;
  std::size_t line_ = 0;
  std::size_t cursor_ = 0;
  SimpleYamlDocument document_;
};

std::optional<SimpleYamlDocument> SimpleYamlDocument::parse(std::string_view text) {
  return SimpleYamlReader(text).read();
}

}  // namespace newswatch::match_detail
