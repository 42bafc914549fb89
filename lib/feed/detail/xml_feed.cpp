// RSS 0.90-2.0, RSS 1.0 (RDF) and Atom 0.3/1.0 documents, read with pugixml.
//
// pugixml is asked NOT to decode entity references (no parse_escapes): every text is decoded exactly
// once by decode_entities, which knows HTML's named entities too (&nbsp; &eacute; ... are common in
// feeds and undefined in XML), leaves a bare '&' alone, and never expands a DTD-declared entity.
// pugixml ignores the DTD altogether, so billion-laughs and XXE documents expand nothing.
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <limits>
#include <mutex>
#include <pugixml.hpp>
#include <vector>

#include "feed/date.hpp"
#include "feed/detail/parse_common.hpp"
#include "feed/detail/url.hpp"
#include "feed/encoding.hpp"
#include "feed/html_text.hpp"

namespace newswatch::detail {
namespace {

// ---------------------------------------------------------------------------------------------
// Namespaces: elements are matched by namespace URI, never by prefix.

enum class Ns : unsigned char {
  none,  // no namespace: RSS 0.91-2.0, and any element whose prefix is unknown
  atom10,
  atom03,
  rss10,
  rss090,
  rdf,
  dc,
  dcterms,
  content,
  xhtml,
  other,
};

struct KnownNamespace {
  std::string_view uri;
  Ns ns;
};

constexpr std::array kNamespaces{
    KnownNamespace{"http://www.w3.org/2005/Atom", Ns::atom10},
    KnownNamespace{"http://purl.org/atom/ns#", Ns::atom03},
    KnownNamespace{"http://purl.org/rss/1.0/", Ns::rss10},
    KnownNamespace{"http://my.netscape.com/rdf/simple/0.9/", Ns::rss090},
    KnownNamespace{"http://www.w3.org/1999/02/22-rdf-syntax-ns#", Ns::rdf},
    KnownNamespace{"http://purl.org/dc/elements/1.1/", Ns::dc},
    KnownNamespace{"http://purl.org/dc/terms/", Ns::dcterms},
    KnownNamespace{"http://purl.org/rss/1.0/modules/content/", Ns::content},
    KnownNamespace{"http://www.w3.org/1999/xhtml", Ns::xhtml},
    // RSS 2.0 in a namespace of its own, as some Userland-era feeds declare it.
    KnownNamespace{"http://backend.userland.com/rss2", Ns::none},
    KnownNamespace{"http://backend.userland.com/rss", Ns::none},
    KnownNamespace{"http://blogs.law.harvard.edu/tech/rss", Ns::none},
};

// Feeds that use a prefix without declaring it mean the conventional namespace (Python feedparser
// reads them the same way).
constexpr std::array<std::pair<std::string_view, Ns>, 8> kConventionalPrefixes{{
    {"atom", Ns::atom10},
    {"dc", Ns::dc},
    {"dcterms", Ns::dcterms},
    {"content", Ns::content},
    {"rdf", Ns::rdf},
    {"xhtml", Ns::xhtml},
    {"rss", Ns::rss10},
    {"html", Ns::xhtml},
}};

Ns namespace_of_uri(std::string_view uri) {
  while (!uri.empty() && (uri.back() == ' ' || uri.back() == '\n')) uri.remove_suffix(1);
  if (uri.empty()) return Ns::none;  // xmlns="" undeclares the default namespace
  for (const KnownNamespace& known : kNamespaces) {
    if (uri == known.uri) return known.ns;
  }
  // Atom 1.0 with a stray trailing slash or in upper case letters shows up in the wild.
  if (uri == "http://www.w3.org/2005/Atom/") return Ns::atom10;
  return Ns::other;
}

struct Binding {
  std::string_view prefix;  // "" for the default namespace
  Ns ns;
};

// A node's children, walked with first_child()/next_sibling(): pugixml's children() builds its iterator
// range out of line, about 95 instructions a call, and every element of every feed is asked.
class ChildNodes {
 public:
  struct Iterator {
    pugi::xml_node node;
    pugi::xml_node operator*() const { return node; }
    Iterator& operator++() {
      node = node.next_sibling();
      return *this;
    }
    bool operator!=(const Iterator& other) const { return node != other.node; }
  };
  explicit ChildNodes(pugi::xml_node parent) : first_(parent.first_child()) {}
  Iterator begin() const { return {first_}; }
  Iterator end() const { return {pugi::xml_node()}; }

 private:
  pugi::xml_node first_;
};

// The in-scope namespace declarations along the path from the root to the current element. Only the
// few levels the reader descends (feed, channel, item, field) are tracked; deeper markup is copied.
class NamespaceScope {
 public:
  // Adds the declarations of `node`; returns how many to pop when leaving it.
  std::size_t enter(pugi::xml_node node) {
    std::size_t added = 0;
    // Every element passes here, most without attributes: first_attribute() is one cheap call where
    // attributes() built a range of iterators (about 95 instructions an element).
    for (pugi::xml_attribute attribute = node.first_attribute(); attribute; attribute = attribute.next_attribute()) {
      const std::string_view name = attribute.name();
      if (name.substr(0, 5) != "xmlns") continue;
      if (name.size() == 5) {
        bindings_.push_back({"", namespace_of_uri(attribute.value())});
      } else if (name[5] == ':') {
        bindings_.push_back({name.substr(6), namespace_of_uri(attribute.value())});
      } else {
        continue;
      }
      ++added;
    }
    return added;
  }
  void leave(std::size_t added) {
    if (added != 0) bindings_.resize(bindings_.size() - added);  // most elements declare nothing
  }

  Ns resolve(std::string_view prefix) const {
    for (auto it = bindings_.rbegin(); it != bindings_.rend(); ++it) {
      if (it->prefix == prefix) return it->ns;
    }
    if (prefix.empty()) return Ns::none;
    for (const auto& [conventional, ns] : kConventionalPrefixes) {
      if (prefix == conventional) return ns;
    }
    return Ns::other;
  }

 private:
  std::vector<Binding> bindings_;
};

struct QName {
  Ns ns;
  std::string_view local;
};

std::string_view local_name_of(std::string_view name) {
  const std::size_t colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

QName qualified_name(const NamespaceScope& scope, pugi::xml_node node) {
  const std::string_view name = node.name();
  const std::size_t colon = name.find(':');
  if (colon == std::string_view::npos) return {scope.resolve(""), name};
  return {scope.resolve(name.substr(0, colon)), name.substr(colon + 1)};
}

// Enters an element's namespace declarations for the lifetime of the guard.
class ScopeGuard {
 public:
  ScopeGuard(NamespaceScope& scope, pugi::xml_node node) : scope_(scope), added_(scope.enter(node)) {}
  ~ScopeGuard() { scope_.leave(added_); }
  ScopeGuard(const ScopeGuard&) = delete;
  ScopeGuard& operator=(const ScopeGuard&) = delete;

 private:
  NamespaceScope& scope_;
  std::size_t added_;
};

bool is_rss_ns(Ns ns) { return ns == Ns::none || ns == Ns::rss10 || ns == Ns::rss090; }
bool is_atom_ns(Ns ns) { return ns == Ns::atom10 || ns == Ns::atom03; }

// ---------------------------------------------------------------------------------------------
// Text of elements.

std::string_view attribute_value(pugi::xml_node node, const char* name) {
  return node.attribute(name).value();
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string_view trimmed_view(std::string_view text) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
}

std::string trimmed(std::string_view text) { return std::string(trimmed_view(text)); }

void append_decoded(std::string& out, std::string_view raw) {
  if (raw.find('&') == std::string_view::npos) {
    out.append(raw);
  } else {
    out.append(decode_entities(raw));
  }
}

// The character data of an element: its text with references decoded, CDATA sections as they are.
// Text inside child elements is included, so a stray <b> in a title does not lose words.
void append_character_data(std::string& out, pugi::xml_node node, int depth) {
  for (pugi::xml_node child : ChildNodes(node)) {
    switch (child.type()) {
      case pugi::node_pcdata:
        append_decoded(out, child.value());
        break;
      case pugi::node_cdata:
        out.append(child.value());
        break;
      case pugi::node_element:
        if (depth < 64) append_character_data(out, child, depth + 1);
        break;
      default:
        break;
    }
  }
}

// The character data of an element (append_character_data), for the length of one expression or
// scope. Nearly every element holds one text node without references or one CDATA section: that is
// viewed where pugixml left it in the document rather than copied, a copy that was an allocation a
// field wherever the text is longer than a short string holds.
class CharacterData {
 public:
  explicit CharacterData(pugi::xml_node node) {
    const pugi::xml_node first = node.first_child();
    if (first && !first.next_sibling()) {
      const pugi::xml_node_type type = first.type();
      if (type == pugi::node_cdata) {
        view_ = first.value();
        return;
      }
      if (type == pugi::node_pcdata) {
        const std::string_view raw = first.value();
        if (raw.find('&') == std::string_view::npos) {
          view_ = raw;
          return;
        }
        owned_ = decode_entities(raw);
        view_ = owned_;
        return;
      }
    }
    append_character_data(owned_, node, 0);
    view_ = owned_;
  }
  // view_ may point into owned_, which a copy or move would leave behind.
  CharacterData(const CharacterData&) = delete;
  CharacterData& operator=(const CharacterData&) = delete;

  operator std::string_view() const { return view_; }

 private:
  std::string owned_;
  std::string_view view_;
};

// RSS <ttl> is a whole number of minutes; anything else (units, signs, fractions) is ignored
// rather than guessed at. A week bounds it: the scheduler honours at most an hour anyway.
std::optional<std::chrono::minutes> rss_ttl(std::string_view raw) {
  const std::string_view text = trimmed_view(raw);
  if (text.empty() || text.size() > 6) return std::nullopt;
  long minutes = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    minutes = minutes * 10 + (c - '0');
  }
  if (minutes <= 0 || minutes > 7 * 24 * 60) return std::nullopt;
  return std::chrono::minutes(minutes);
}

bool has_element_child(pugi::xml_node node) {
  for (pugi::xml_node child : ChildNodes(node)) {
    if (child.type() == pugi::node_element) return true;
  }
  return false;
}

void append_escaped(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&':
        out.append("&amp;");
        break;
      case '<':
        out.append("&lt;");
        break;
      case '>':
        out.append("&gt;");
        break;
      case '"':
        out.append("&quot;");
        break;
      default:
        out.push_back(c);
    }
  }
}

// Markup embedded as XML (Atom xhtml, "naked" HTML in RSS descriptions) back to HTML source for
// html_to_text. Text is copied as written (pugixml left its references alone, so it is still valid
// HTML); prefixes are dropped because the HTML reader does not know namespaces.
constexpr int kMaxMarkupDepth = 128;

void append_markup(std::string& out, pugi::xml_node node, int depth) {
  for (pugi::xml_node child : ChildNodes(node)) {
    switch (child.type()) {
      case pugi::node_pcdata:
        out.append(child.value());
        break;
      case pugi::node_cdata:
        append_escaped(out, child.value());
        break;
      case pugi::node_element: {
        const std::string_view name = local_name_of(child.name());
        out.push_back('<');
        out.append(name);
        for (pugi::xml_attribute attribute = child.first_attribute(); attribute;
             attribute = attribute.next_attribute()) {
          const std::string_view attribute_name = attribute.name();
          if (attribute_name.substr(0, 5) == "xmlns") continue;
          out.push_back(' ');
          out.append(local_name_of(attribute_name));
          out.append("=\"");
          for (char c : std::string_view(attribute.value())) {
            if (c == '"')
              out.append("&quot;");
            else
              out.push_back(c);
          }
          out.push_back('"');
        }
        out.push_back('>');
        if (depth < kMaxMarkupDepth) append_markup(out, child, depth + 1);
        out.append("</").append(name).push_back('>');
        break;
      }
      default:
        break;
    }
  }
}

std::string markup_of(pugi::xml_node node) {
  std::string out;
  append_markup(out, node, 0);
  return out;
}

// How an element's content is to be read: Atom's type attribute (and Atom 0.3's mode), or the
// format's convention for the element.
enum class TextKind { plain, html, xhtml };

bool looks_like_markup(std::string_view text) {
  for (std::size_t at = text.find('<'); at != std::string_view::npos; at = text.find('<', at + 1)) {
    if (at + 1 < text.size()) {
      const char next = text[at + 1];
      if ((next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z') || next == '/' || next == '!') {
        return text.find('>', at) != std::string_view::npos;
      }
    }
  }
  return false;
}

std::string decode_base64(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
  };
  std::string out;
  unsigned int buffer = 0;
  int bits = 0;
  for (char c : text) {
    const int v = value(c);
    if (v < 0) continue;  // padding and line breaks
    buffer = (buffer << 6) | static_cast<unsigned int>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return out;
}

// The attributes that say how an Atom text is to be read, found in one pass over the element's
// attributes rather than by a search for each name (five searches a text, about 130 instructions
// each on an element that has attributes). The first of a repeated name counts, as
// pugi::xml_node::attribute(name) has it.
struct AtomTextAttributes {
  std::string_view type, mode, src;
  explicit AtomTextAttributes(pugi::xml_node node) {
    bool seen_type = false, seen_mode = false, seen_src = false;
    for (pugi::xml_attribute attribute = node.first_attribute(); attribute;
         attribute = attribute.next_attribute()) {
      const char* name = attribute.name();
      if (std::strcmp(name, "type") == 0 && !seen_type) {
        type = attribute.value();
        seen_type = true;
      } else if (std::strcmp(name, "mode") == 0 && !seen_mode) {
        mode = attribute.value();
        seen_mode = true;
      } else if (std::strcmp(name, "src") == 0 && !seen_src) {
        src = attribute.value();
        seen_src = true;
      }
    }
  }
};

TextKind atom_text_kind(pugi::xml_node node, const AtomTextAttributes& attributes) {
  const std::string_view type = attributes.type;
  if (type == "html" || equals_ignoring_case(type, "text/html")) return TextKind::html;
  if (type == "xhtml" || equals_ignoring_case(type, "application/xhtml+xml")) return TextKind::xhtml;
  // Atom 0.3: mode="escaped" holds escaped markup, mode="xml" inline markup; the type is a MIME type.
  const std::string_view mode = attributes.mode;
  if (mode == "xml" && has_element_child(node)) return TextKind::xhtml;
  if (mode == "escaped" && !type.empty() && type != "text/plain" && type != "text") return TextKind::html;
  return has_element_child(node) ? TextKind::xhtml : TextKind::plain;
}

// Atom xhtml content is wrapped in one xhtml:div that is not part of the content (RFC 4287 3.1.1.3).
pugi::xml_node xhtml_container(pugi::xml_node node) {
  pugi::xml_node only_element;
  for (pugi::xml_node child : ChildNodes(node)) {
    if (child.type() == pugi::node_element) {
      if (only_element) return node;
      only_element = child;
    } else if (child.type() != pugi::node_pcdata || !trimmed_view(child.value()).empty()) {
      return node;
    }
  }
  return only_element && local_name_of(only_element.name()) == "div" ? only_element : node;
}

enum class Layout { inline_text, block_text };

std::string html_to(Layout layout, std::string_view html) {
  if (layout == Layout::block_text) return html_to_text(html);
  // Without markup or references an inline text is only its white space to collapse; skipping the
  // HTML reader for such titles and names is most of the parser's time on headline-only feeds.
  const bool plain = html.find_first_of("<&") == std::string_view::npos;
  return plain ? collapse_whitespace(html) : html_to_inline_text(html);
}

std::string plain_to(Layout layout, std::string_view text) {
  return layout == Layout::inline_text ? collapse_whitespace(text) : trimmed(text);
}

std::string read_text(pugi::xml_node node, TextKind kind, Layout layout) {
  switch (kind) {
    case TextKind::xhtml:
      return html_to(layout, markup_of(xhtml_container(node)));
    case TextKind::html:
      return has_element_child(node) ? html_to(layout, markup_of(node))
                                     : html_to(layout, CharacterData(node));
    case TextKind::plain:
      break;
  }
  return plain_to(layout, CharacterData(node));
}

// RFC 4287 4.1.3.3: a media type that is neither text nor XML means base64-encoded content.
bool is_base64_type(std::string_view type) {
  if (type.find('/') == std::string_view::npos) return false;
  if (type.substr(0, 5) == "text/" || type.substr(0, 5) == "TEXT/") return false;
  return !type.ends_with("+xml") && !type.ends_with("/xml") &&
         !equals_ignoring_case(type, "application/xhtml+xml");
}

std::string read_atom_text(pugi::xml_node node, Layout layout) {
  const AtomTextAttributes attributes(node);
  if (attributes.mode == "base64" || is_base64_type(attributes.type)) {
    // Decoded bytes are whatever the publisher encoded, not necessarily UTF-8 (found by
    // fuzz_feed_parser): every text we hand out is.
    const std::string decoded = sanitize_utf8(decode_base64(CharacterData(node)));
    const bool html = attributes.type.find("html") != std::string_view::npos || looks_like_markup(decoded);
    return html ? html_to(layout, decoded) : plain_to(layout, decoded);
  }
  if (!attributes.src.empty()) return {};  // out-of-line content: nothing to read here
  return read_text(node, atom_text_kind(node, attributes), layout);
}

// RSS says nothing of markup in titles and names; publishers escape it, embed it, or neither.
// Escaped markup and entities left in CDATA ("Tom &amp; Jerry") are read as HTML, as browsers and
// Python feedparser do; a title without either is taken as it is.
std::string read_rss_inline(pugi::xml_node node) {
  if (has_element_child(node)) return html_to_inline_text(markup_of(node));
  const CharacterData data(node);
  const std::string_view text = data;
  const bool html = looks_like_markup(text) || text.find('&') != std::string_view::npos;
  return html ? html_to_inline_text(text) : collapse_whitespace(text);
}

// RSS descriptions are HTML, escaped or in CDATA, sometimes embedded as elements.
std::string read_rss_html(pugi::xml_node node) { return read_text(node, TextKind::html, Layout::block_text); }

// "jo@example.com (Jo Smith)" is RSS 2.0's author form, "Jo Smith (jo@example.com)" and
// "Jo Smith <jo@example.com>" are common too; the name is what a reader wants.
std::string author_name(std::string text) {
  const std::size_t open = text.find_first_of("(<");
  const std::size_t close = text.find_last_of(")>");
  if (open == std::string::npos || close == std::string::npos || close < open) return text;
  const std::string_view whole(text);
  const std::string_view inside = whole.substr(open + 1, close - open - 1);
  const std::string_view outside = whole.substr(0, open);
  std::string name;
  if (outside.find('@') != std::string_view::npos)
    name = collapse_whitespace(inside);
  else if (inside.find('@') != std::string_view::npos)
    name = collapse_whitespace(outside);
  return name.empty() ? text : name;
}

// ---------------------------------------------------------------------------------------------
// Walking the document.

// xml:base as it applies to an element (XML Base: an element's own xml:base covers its content): its
// own resolved against its parent's, or, for nearly every element, its parent's, which is looked at
// rather than copied (a copy was two allocations a feed item). Lives inside its parent's lifetime:
// made for one call, or in the scope that walks the element.
class ElementBase {
 public:
  ElementBase(pugi::xml_node node, const std::string& parent_base) : base_(&parent_base) {
    if (!node.first_attribute()) return;  // most elements have none: no search by name
    const pugi::xml_attribute attribute = node.attribute("xml:base");
    if (!attribute) return;
    own_ = resolve_url(parent_base, decode_entities(attribute.value()));
    base_ = &own_;
  }
  ElementBase(const ElementBase&) = delete;
  ElementBase& operator=(const ElementBase&) = delete;

  operator const std::string&() const { return *base_; }

 private:
  const std::string* base_;
  std::string own_;
};

std::string url_in(pugi::xml_node node, std::string_view raw, const std::string& parent_base) {
  std::string_view reference = trimmed_view(raw);
  std::string decoded;
  if (reference.find('&') != std::string_view::npos) reference = decoded = decode_entities(reference);
  if (reference.empty()) return {};
  const ElementBase base(node, parent_base);
  return resolve_url(static_cast<const std::string&>(base), reference);
}

// Atom's link choice: rel="alternate" (or no rel), preferring an HTML page over other media.
struct LinkChoice {
  int rank = 0;  // 0 = none yet
  std::string href;

  void offer(pugi::xml_node link, const std::string& base) {
    const std::string_view rel = attribute_value(link, "rel");
    if (!rel.empty() && rel != "alternate" && rel != "http://www.iana.org/assignments/relation/alternate") {
      return;
    }
    const std::string_view type = attribute_value(link, "type");
    const int offered = equals_ignoring_case(type, "text/html")               ? 3
                        : type.empty()                                        ? 2
                        : equals_ignoring_case(type, "application/xhtml+xml") ? 2
                                                                              : 1;
    if (offered <= rank) return;
    std::string resolved = url_in(link, attribute_value(link, "href"), base);
    if (resolved.empty()) return;
    rank = offered;
    href = std::move(resolved);
  }
};

struct Dates {
  std::optional<Instant> published;  // first of the preferred source
  std::optional<Instant> published_fallback;
  std::optional<Instant> updated;
};

void read_date(pugi::xml_node node, std::optional<Instant>& into) {
  if (into) return;
  into = parse_feed_date(trimmed_view(CharacterData(node)));
}

void complete(Article& article, const Dates& dates);

class DocumentReader {
 public:
  DocumentReader(std::string_view feed_url, const ParseLimits& limits, ParsedFeed& parsed)
      : feed_url_(feed_url), limits_(limits), parsed_(parsed) {}

  // Returns false when the root is not a feed.
  bool read(pugi::xml_node root, pugi::xml_node incomplete_item);

 private:
  void read_rss(pugi::xml_node root, const std::string& base);
  void read_rss_channel(pugi::xml_node channel, const std::string& base);
  void read_atom_feed(pugi::xml_node feed, const std::string& base);
  Article read_rss_item(pugi::xml_node item, const std::string& base);
  Article read_atom_entry(pugi::xml_node entry, const std::string& base);
  void read_common_field(QName name, pugi::xml_node field, Article& article, Dates& dates);
  bool room_for_item();
  std::size_t names_to_keep() const { return limits_.max_names + (limits_.max_names < SIZE_MAX ? 1 : 0); }
  bool is_atom_element(Ns ns) const { return is_atom_ns(ns) || ns == Ns::none || ns == atom_ns_; }

  std::string feed_url_;
  const ParseLimits& limits_;
  ParsedFeed& parsed_;
  NamespaceScope scope_;
  Ns atom_ns_ = Ns::atom10;         // Atom: the namespace of the root element
  std::string item_base_;           // RSS: the base for items, once the channel has been read
  pugi::xml_node incomplete_item_;  // the item the parser was inside when the document broke off
  bool truncated_ = false;
};

bool DocumentReader::room_for_item() {
  if (parsed_.feed.articles.size() < limits_.max_items) return true;
  if (!truncated_) {
    truncated_ = true;
    parsed_.warnings.push_back({ParseErrorKind::truncated, "more than " + std::to_string(limits_.max_items) +
                                                               " items; the rest dropped"});
  }
  return false;
}

void complete(Article& article, const Dates& dates) {
  article.published = dates.published ? dates.published : dates.published_fallback;
  article.updated = dates.updated;
  finish_article(article);
}

bool DocumentReader::read(pugi::xml_node root, pugi::xml_node incomplete_item) {
  incomplete_item_ = incomplete_item;
  ScopeGuard guard(scope_, root);
  const QName name = qualified_name(scope_, root);
  const ElementBase base(root, feed_url_);
  Feed& feed = parsed_.feed;
  if (name.local == "rss" && (name.ns == Ns::none || name.ns == Ns::other)) {
    const std::string_view version = attribute_value(root, "version");
    feed.format = version == "0.91"   ? FeedFormat::rss091
                  : version == "0.92" ? FeedFormat::rss092
                                      : FeedFormat::rss20;
    read_rss(root, base);
    return true;
  }
  if (name.local == "RDF" && (name.ns == Ns::rdf || name.ns == Ns::other)) {
    feed.format = scope_.resolve("") == Ns::rss090 ? FeedFormat::rss090 : FeedFormat::rss10;
    read_rss(root, base);
    return true;
  }
  // Userland's RSS 0.9x without the <rss> wrapper.
  if (name.local == "channel" && is_rss_ns(name.ns)) {
    feed.format = FeedFormat::rss20;
    read_rss_channel(root, base);
    return true;
  }
  // Python feedparser reads a <feed> in any namespace as Atom; publishers did invent their own.
  if (name.local == "feed" || (name.local == "entry" && (is_atom_ns(name.ns) || name.ns == Ns::none))) {
    atom_ns_ = name.ns;
    const bool atom03 =
        name.ns == Ns::atom03 || (name.ns != Ns::atom10 && attribute_value(root, "version") == "0.3");
    feed.format = atom03 ? FeedFormat::atom03 : FeedFormat::atom10;
    if (name.local == "entry") {
      if (root != incomplete_item_ && room_for_item()) {
        feed.articles.push_back(read_atom_entry(root, base));
      }
    } else {
      read_atom_feed(root, base);
    }
    return true;
  }
  return false;
}

void DocumentReader::read_rss(pugi::xml_node root, const std::string& base) {
  // RSS 1.0 and 0.90 keep items beside the channel; RSS 0.9x-2.0 inside it. Both are accepted.
  for (pugi::xml_node child : ChildNodes(root)) {
    if (child.type() != pugi::node_element) continue;
    ScopeGuard guard(scope_, child);
    const QName name = qualified_name(scope_, child);
    if (!is_rss_ns(name.ns)) continue;
    if (name.ns == Ns::rss090 && parsed_.feed.format == FeedFormat::rss10)
      parsed_.feed.format = FeedFormat::rss090;
    if (name.local == "channel") {
      read_rss_channel(child, ElementBase(child, base));
    } else if (name.local == "item" && child != incomplete_item_ && room_for_item()) {
      parsed_.feed.articles.push_back(
          read_rss_item(child, ElementBase(child, item_base_.empty() ? base : item_base_)));
    }
  }
}

void DocumentReader::read_rss_channel(pugi::xml_node channel, const std::string& channel_base) {
  Feed& feed = parsed_.feed;
  // Relative item links in RSS are meant relative to the site (the channel's link), which is where
  // a reader of the HTML would be; without a usable channel link, the document's own address.
  std::string self_link;
  // Items are read after the channel's own fields, whose link is their base; they are noted on the
  // way rather than found again by a second walk that named every child of the channel once more.
  std::vector<pugi::xml_node> items;
  for (pugi::xml_node child : ChildNodes(channel)) {
    if (child.type() != pugi::node_element) continue;
    ScopeGuard guard(scope_, child);
    const QName name = qualified_name(scope_, child);
    if (is_rss_ns(name.ns) && name.local == "item") {
      if (child != incomplete_item_) items.push_back(child);
    } else if (is_rss_ns(name.ns) && name.local == "title" && feed.title.empty()) {
      feed.title = read_rss_inline(child);
    } else if (is_rss_ns(name.ns) && name.local == "link" && feed.link.empty()) {
      feed.link = url_in(child, CharacterData(child), channel_base);
    } else if (name.ns == Ns::atom10 && name.local == "link" && attribute_value(child, "rel") == "self") {
      self_link = url_in(child, attribute_value(child, "href"), channel_base);
    } else if (name.ns == Ns::dc && name.local == "title" && feed.title.empty()) {
      feed.title = read_rss_inline(child);
    } else if (is_rss_ns(name.ns) && name.local == "ttl" && !feed.ttl) {
      feed.ttl = rss_ttl(CharacterData(child));
    }
  }
  if (feed_url_.empty() && has_scheme(self_link) && !has_scheme(feed.link)) {
    feed.link = resolve_url(self_link, feed.link);
  }
  item_base_ = has_scheme(feed.link) && !channel.attribute("xml:base") ? feed.link : channel_base;

  for (pugi::xml_node item : items) {  // read_rss_item enters the item's namespace declarations
    if (!room_for_item()) return;
    parsed_.feed.articles.push_back(read_rss_item(item, ElementBase(item, item_base_)));
  }
}

// Fields that RSS items and Atom entries share: Dublin Core, content:encoded, xhtml:body.
void DocumentReader::read_common_field(QName name, pugi::xml_node field, Article& article, Dates& dates) {
  switch (name.ns) {
    case Ns::dc:
      if (name.local == "date") {
        read_date(field, dates.published_fallback);
      } else if (name.local == "creator" || name.local == "contributor" || name.local == "author") {
        add_unique(article.authors, author_name(read_rss_inline(field)), names_to_keep());
      } else if (name.local == "subject") {
        add_unique(article.categories, read_rss_inline(field), names_to_keep());
      } else if (name.local == "title" && article.title.empty()) {
        article.title = read_rss_inline(field);
      } else if (name.local == "description" && article.summary.empty()) {
        article.summary = read_rss_html(field);
      }
      break;
    case Ns::dcterms:
      if (name.local == "modified")
        read_date(field, dates.updated);
      else if (name.local == "issued" || name.local == "created" || name.local == "date")
        read_date(field, dates.published_fallback);
      break;
    case Ns::content:
      if (name.local == "encoded" && article.content.empty()) article.content = read_rss_html(field);
      break;
    case Ns::xhtml:
      if (name.local == "body" && article.content.empty()) {
        article.content = html_to_text(markup_of(field));
      }
      break;
    default:
      break;
  }
}

Article DocumentReader::read_rss_item(pugi::xml_node item, const std::string& base) {
  ScopeGuard guard(scope_, item);
  Article article;
  Dates dates;
  std::string guid_link;
  for (pugi::xml_node field : ChildNodes(item)) {
    if (field.type() != pugi::node_element) continue;
    ScopeGuard field_guard(scope_, field);
    const QName name = qualified_name(scope_, field);
    if (!is_rss_ns(name.ns)) {
      if (name.ns == Ns::atom10 && name.local == "link" && article.link.empty()) {
        LinkChoice choice;
        choice.offer(field, base);
        guid_link = guid_link.empty() ? choice.href : guid_link;
      } else {
        read_common_field(name, field, article, dates);
      }
      continue;
    }
    const std::string_view local = name.local;
    if (local == "title") {
      if (article.title.empty()) article.title = read_rss_inline(field);
    } else if (local == "link") {
      if (article.link.empty()) article.link = url_in(field, CharacterData(field), base);
    } else if (local == "guid") {
      if (article.id.empty()) {
        article.id = trimmed(CharacterData(field));
        const std::string_view permalink = attribute_value(field, "isPermaLink");
        if (!equals_ignoring_case(trimmed_view(permalink), "false") && has_scheme(article.id)) {
          guid_link = url_in(field, article.id, base);
        }
      }
    } else if (local == "description") {
      if (article.summary.empty()) article.summary = read_rss_html(field);
    } else if (local == "pubDate") {
      read_date(field, dates.published);
    } else if (local == "author") {
      add_unique(article.authors, author_name(read_rss_inline(field)), names_to_keep());
    } else if (local == "category") {
      add_unique(article.categories, read_rss_inline(field), names_to_keep());
    } else if (local == "body" && article.content.empty()) {  // xhtml:body without its namespace
      article.content = html_to_text(markup_of(field));
    } else if (local == "fullitem" && article.content.empty()) {  // Userland's full-text element
      article.content = read_rss_html(field);
    }
  }
  if (article.link.empty()) article.link = std::move(guid_link);
  // RSS 1.0 names each item by its rdf:about URI; it is the item's identity when there is no guid.
  if (article.id.empty()) article.id = trimmed(attribute_value(item, "rdf:about"));
  complete(article, dates);
  return article;
}

void DocumentReader::read_atom_feed(pugi::xml_node feed_node, const std::string& base) {
  Feed& feed = parsed_.feed;
  LinkChoice link;
  std::string self_link;
  std::vector<pugi::xml_node> entries;  // read after the feed's own fields, as RSS items are
  for (pugi::xml_node child : ChildNodes(feed_node)) {
    if (child.type() != pugi::node_element) continue;
    ScopeGuard guard(scope_, child);
    const QName name = qualified_name(scope_, child);
    if (!is_atom_element(name.ns)) continue;
    if (name.local == "entry") {
      if (child != incomplete_item_) entries.push_back(child);
    } else if (name.local == "title" && feed.title.empty()) {
      feed.title = read_atom_text(child, Layout::inline_text);
    } else if (name.local == "link") {
      link.offer(child, base);
      if (attribute_value(child, "rel") == "self")
        self_link = url_in(child, attribute_value(child, "href"), base);
    }
  }
  // Without the document's address, its rel="self" link is the best base there is.
  std::string entry_base = base;
  if (!has_scheme(entry_base) && has_scheme(self_link) && !feed_node.attribute("xml:base"))
    entry_base = self_link;
  feed.link = link.href;
  if (!has_scheme(feed.link) && !feed.link.empty() && has_scheme(entry_base)) {
    feed.link = resolve_url(entry_base, feed.link);
  }

  for (pugi::xml_node entry : entries) {  // as do read_atom_entry's
    if (!room_for_item()) return;
    parsed_.feed.articles.push_back(read_atom_entry(entry, ElementBase(entry, entry_base)));
  }
}

Article DocumentReader::read_atom_entry(pugi::xml_node entry, const std::string& base) {
  ScopeGuard guard(scope_, entry);
  Article article;
  Dates dates;
  LinkChoice link;
  bool have_content = false;
  for (pugi::xml_node field : ChildNodes(entry)) {
    if (field.type() != pugi::node_element) continue;
    ScopeGuard field_guard(scope_, field);
    const QName name = qualified_name(scope_, field);
    if (!is_atom_element(name.ns)) {
      read_common_field(name, field, article, dates);
      continue;
    }
    const std::string_view local = name.local;
    if (local == "title") {
      if (article.title.empty()) article.title = read_atom_text(field, Layout::inline_text);
    } else if (local == "link") {
      link.offer(field, base);
    } else if (local == "id") {
      if (article.id.empty()) article.id = trimmed(CharacterData(field));
    } else if (local == "published" || local == "issued") {
      read_date(field, dates.published);
    } else if (local == "created") {
      read_date(field, dates.published_fallback);
    } else if (local == "updated" || local == "modified") {
      read_date(field, dates.updated);
    } else if (local == "summary") {
      if (article.summary.empty()) article.summary = read_atom_text(field, Layout::block_text);
    } else if (local == "content") {
      if (!have_content) {
        article.content = read_atom_text(field, Layout::block_text);
        have_content = true;
      }
    } else if (local == "author" || local == "contributor") {
      if (local == "contributor" && !article.authors.empty()) continue;
      ScopeGuard person_guard(scope_, field);
      for (pugi::xml_node part : ChildNodes(field)) {
        if (part.type() != pugi::node_element) continue;
        const QName part_name = qualified_name(scope_, part);
        if (part_name.local == "name" && is_atom_element(part_name.ns)) {
          add_unique(article.authors, collapse_whitespace(CharacterData(part)), names_to_keep());
        }
      }
    } else if (local == "category") {
      std::string term = collapse_whitespace(decode_entities(attribute_value(field, "term")));
      if (term.empty()) term = collapse_whitespace(decode_entities(attribute_value(field, "label")));
      add_unique(article.categories, std::move(term), names_to_keep());
    }
  }
  article.link = std::move(link.href);
  complete(article, dates);
  return article;
}

// ---------------------------------------------------------------------------------------------
// Parsing, and recovering from broken documents.

constexpr unsigned int kPugiOptions =
    pugi::parse_cdata | pugi::parse_eol | pugi::parse_wconv_attribute | pugi::parse_ws_pcdata;

pugi::xml_node root_element(const pugi::xml_document& document) {
  for (pugi::xml_node child : ChildNodes(document)) {
    if (child.type() == pugi::node_element) return child;
  }
  return {};
}

// When pugixml stops at an error it keeps what it built; the elements still open at that point lie
// on the rightmost path of the tree. Returns the item or entry on that path unless its end tag is
// in `text` before the error, since an item without its end is not an item that parsed completely.
// Without a text to look in (libxml2's repaired tree) the item on that path is taken as open.
pugi::xml_node open_item(const pugi::xml_document& document, std::string_view text = {},
                         std::size_t error_offset = 0) {
  int depth = 0;
  for (pugi::xml_node node = document.last_child(); node && depth < 4; node = node.last_child(), ++depth) {
    if (node.type() != pugi::node_element) break;
    const std::string_view local = local_name_of(node.name());
    if (local != "item" && local != "entry") continue;
    if (text.empty()) return node;
    const std::string end_tag = std::string("</") + node.name();
    const auto start = static_cast<std::size_t>(std::max<std::ptrdiff_t>(node.offset_debug(), 0));
    const std::size_t end = text.find(end_tag, start);
    return end != std::string_view::npos && end < error_offset ? pugi::xml_node{} : node;
  }
  return {};
}

std::size_t count_items(const ParsedFeed& parsed) { return parsed.feed.articles.size(); }

void ensure_libxml_initialised() {
  static std::once_flag once;
  std::call_once(once, [] { xmlInitParser(); });
}

// Before libxml2 sees the text: HTML named entities become their characters and a bare '&' becomes
// "&amp;", the two faults of real feeds that would otherwise lose text in libxml2's recovery.
std::string make_entities_xml_safe(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 16);
  std::size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 9, "<![CDATA[") == 0) {
      const std::size_t end = text.find("]]>", i);
      const std::size_t stop = end == std::string_view::npos ? text.size() : end + 3;
      out.append(text.substr(i, stop - i));
      i = stop;
      continue;
    }
    if (text[i] != '&') {
      out.push_back(text[i++]);
      continue;
    }
    std::size_t j = i + 1;
    if (j < text.size() && text[j] == '#') ++j;
    while (j < text.size() && j - i < 40 &&
           ((text[j] >= 'a' && text[j] <= 'z') || (text[j] >= 'A' && text[j] <= 'Z') ||
            (text[j] >= '0' && text[j] <= '9'))) {
      ++j;
    }
    const bool reference = j < text.size() && text[j] == ';' && j > i + 1;
    if (!reference) {
      out.append("&amp;");
      ++i;
      continue;
    }
    const std::string_view entity = text.substr(i, j + 1 - i);
    static constexpr std::array<std::string_view, 5> kXmlEntities{"&lt;", "&gt;", "&amp;", "&quot;",
                                                                  "&apos;"};
    bool predefined = entity[1] == '#';
    for (std::string_view xml_entity : kXmlEntities) predefined = predefined || entity == xml_entity;
    if (predefined) {
      out.append(entity);
    } else if (std::string decoded = decode_entities(entity); decoded != entity) {
      append_escaped(out, decoded);
    } else {
      out.append("&amp;").append(entity.substr(1));
    }
    i = j + 1;
  }
  return out;
}

// libxml2's recovery mode continues past errors that stop pugixml (a mismatched tag in one item does
// not cost the items after it). Its repaired tree is written out and read by the same pugixml reader,
// so there is one reader to keep right. No entity substitution (no XML_PARSE_NOENT), no DTD loading,
// no network: the safety properties hold here too.
std::string recover_with_libxml2(const std::string& text) {
  ensure_libxml_initialised();
  const std::string prepared = make_entities_xml_safe(text);
  if (prepared.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) return {};
  xmlDocPtr document =
      xmlReadMemory(prepared.data(), static_cast<int>(prepared.size()), nullptr, "UTF-8",
                    XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (document == nullptr) return {};
  std::string repaired;
  if (xmlDocGetRootElement(document) != nullptr) {
    xmlChar* memory = nullptr;
    int size = 0;
    xmlDocDumpMemoryEnc(document, &memory, &size, "UTF-8");
    if (memory != nullptr) {
      repaired.assign(reinterpret_cast<const char*>(memory), static_cast<std::size_t>(size));
      xmlFree(memory);
    }
  }
  xmlFreeDoc(document);
  return repaired;
}

struct Attempt {
  bool is_feed = false;
  ParsedFeed parsed;
};

Attempt read_document(pugi::xml_document& document, pugi::xml_node incomplete_item, std::string_view feed_url,
                      const ParseLimits& limits) {
  Attempt attempt;
  const pugi::xml_node root = root_element(document);
  if (!root) return attempt;
  DocumentReader reader(feed_url, limits, attempt.parsed);
  attempt.is_feed = reader.read(root, incomplete_item);
  return attempt;
}

}  // namespace

Result<ParsedFeed, ParseProblem> read_xml_feed(std::string text, std::string_view feed_url,
                                               const ParseLimits& limits) {
  // pugixml parses in place, in the buffer it is given; the document does not outlive this call.
  // It overwrites the buffer's last byte with its terminator, which in a document cut off inside a
  // text would lose half a UTF-8 sequence: give it a terminator of our own.
  const std::string original = text;
  text.push_back('\0');
  pugi::xml_document document;
  const pugi::xml_parse_result status =
      document.load_buffer_inplace(text.data(), text.size(), kPugiOptions, pugi::encoding_utf8);
  if (status) {
    Attempt attempt = read_document(document, {}, feed_url, limits);
    if (!attempt.is_feed) {
      return ParseProblem{ParseErrorKind::not_a_feed,
                          std::string("root element <") + root_element(document).name() + "> is not a feed"};
    }
    return std::move(attempt.parsed);
  }

  ParseProblem problem{ParseErrorKind::malformed,
                       std::string("not well-formed XML: ") + status.description()};
  locate(original, static_cast<std::size_t>(status.offset), problem.line, problem.column);

  Attempt best = read_document(
      document, open_item(document, original, static_cast<std::size_t>(status.offset)), feed_url, limits);
  // libxml2 closes whatever is open at the end of the input, so in a document that was cut off the
  // last item of its repaired tree is as incomplete as in pugixml's: skip it the same way.
  const pugi::xml_node root = root_element(document);
  const std::string root_end = std::string("</") + (root ? root.name() : "") + ">";
  const bool cut_off = original.rfind(root_end) == std::string::npos;
  std::string repaired = recover_with_libxml2(original);
  if (!repaired.empty()) {
    pugi::xml_document recovered;
    if (recovered.load_buffer_inplace(repaired.data(), repaired.size(), kPugiOptions, pugi::encoding_utf8)) {
      Attempt second =
          read_document(recovered, cut_off ? open_item(recovered) : pugi::xml_node{}, feed_url, limits);
      if (second.is_feed && (!best.is_feed || count_items(second.parsed) > count_items(best.parsed))) {
        best = std::move(second);
      }
    }
  }
  if (!best.is_feed) {
    // A document that breaks before any feed element is as good as no feed, but say why.
    const bool looks_like_html = original.find("<html") != std::string::npos ||
                                 original.find("<HTML") != std::string::npos ||
                                 original.find("<!DOCTYPE html") != std::string::npos;
    if (looks_like_html || !root_element(document)) {
      problem.kind = ParseErrorKind::not_a_feed;
      problem.message = looks_like_html ? "an HTML page, not a feed (" + problem.message + ")"
                                        : "no feed element (" + problem.message + ")";
    }
    return problem;
  }
  best.parsed.warnings.insert(best.parsed.warnings.begin(), std::move(problem));
  return std::move(best.parsed);
}

}  // namespace newswatch::detail
