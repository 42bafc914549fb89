#pragma once
// A fast reader for the plain YAML that watchlists are written in, giving the same tree yaml-cpp
// gives (kinds, scalars, 0-based byte marks) or nothing when the text leaves the subset it reads, so
// that the caller falls back to yaml-cpp. yaml-cpp's scanner spent ~470 M instructions on a
// 10,000-term watchlist — two thirds of a whole `newswatchd scan` run. Private to lib/match.
//
// The subset: block maps and sequences indented with spaces; "- " items, which may hold scalars,
// flow collections or a map starting on the item's line; single-line flow sequences and maps of
// scalars (a flow map's values may be flow sequences); plain scalars that need no YAML subtlety,
// single-quoted scalars, double-quoted scalars whose only escapes are \", \\, \x, \u, \U; comments. Refused:
// tabs, CR, tags, anchors, aliases, block scalars, '?' keys, directives and document markers, multi-line
// scalars, empty and null values, duplicate keys. tests/match/simple_yaml_test.cpp holds the two readers'
// trees against each other.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace newswatch::match_detail {

struct SimpleYamlMark {
  int line = -1;  // 0-based, as YAML::Mark
  int column = -1;
  bool is_null() const { return line < 0; }
};

class SimpleYamlDocument;

// A handle on one node of a document, with the parts of YAML::Node's interface the watchlist
// parser uses. A default-constructed handle is an absent node (what YAML::Node's operator[] gives
// for a missing key).
class SimpleYamlNode {
 public:
  SimpleYamlNode() = default;
  SimpleYamlNode(const SimpleYamlDocument* document, std::uint32_t index)
      : document_(document), index_(index) {}

  explicit operator bool() const { return document_ != nullptr; }
  bool IsMap() const;
  bool IsSequence() const;
  bool IsScalar() const;
  const std::string& Scalar() const;
  SimpleYamlMark Mark() const;
  std::size_t size() const;  // pairs of a map, items of a sequence, 0 for a scalar
  SimpleYamlNode operator[](std::string_view key) const;

  // What iterating gives, as yaml-cpp's iterator_value: the item itself for a sequence, and
  // first/second for a map's pairs.
  struct Entry;
  class Iterator;
  Iterator begin() const;
  Iterator end() const;

 private:
  const SimpleYamlDocument* document_ = nullptr;
  std::uint32_t index_ = 0;
};

struct SimpleYamlNode::Entry : SimpleYamlNode {
  SimpleYamlNode first;
  SimpleYamlNode second;
};

class SimpleYamlNode::Iterator {
 public:
  Iterator(const SimpleYamlDocument* document, std::uint32_t node, std::size_t position)
      : document_(document), node_(node), position_(position) {}
  Entry operator*() const;
  Iterator& operator++();
  bool operator!=(const Iterator& other) const { return position_ != other.position_; }

 private:
  const SimpleYamlDocument* document_;
  std::uint32_t node_;
  std::size_t position_;  // index into the node's children
};

class SimpleYamlDocument {
 public:
  // The tree of `text`, or nothing when the text is outside the subset.
  static std::optional<SimpleYamlDocument> parse(std::string_view text);

  SimpleYamlNode root() const { return SimpleYamlNode(this, 0); }

 private:
  friend class SimpleYamlNode;
  friend class SimpleYamlReader;
  enum class Kind : std::uint8_t { scalar, sequence, map };
  struct Data {
    Kind kind;
    SimpleYamlMark mark;
    std::string scalar;
    std::vector<std::uint32_t> children;  // a map's keys and values alternate
  };
  std::vector<Data> nodes_;
};

// yaml-cpp's reading of a boolean (convert<bool>::decode): y, yes, true, on and their n/no/false/off
// counterparts, each in lower case, Capitalised or UPPER case.
bool decode_yaml_bool(const SimpleYamlNode& node, bool& value);

}  // namespace newswatch::match_detail
