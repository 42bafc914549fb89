#include "match/detail/automaton.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstring>

namespace newswatch::match_detail {
namespace {

// Words so common in news text (English function words, and the particles of names in the languages
// actor dictionaries draw on) that a term starting with one is better found from its second piece. A
// word missing here costs speed, never a match.
bool common_word(std::string_view word) {
  static constexpr std::array<std::string_view, 62> kWords{
      "a",     "about", "after", "al",   "an",   "and",  "as",    "at",    "before", "between", "by",
      "da",    "das",   "de",    "del",  "dem",  "den",  "der",   "des",   "di",     "die",     "do",
      "dos",   "du",    "e",     "el",   "en",   "et",   "for",   "from",  "he",     "her",     "his",
      "i",     "in",    "into",  "is",   "it",   "its",  "la",    "las",   "le",     "les",     "los",
      "no",    "not",   "of",    "on",   "or",   "our",  "over",  "the",   "their",  "this",    "to",
      "under", "van",   "von",   "was",  "we",   "with", "y"};
  return std::binary_search(kWords.begin(), kWords.end(), word);
}

}  // namespace

PieceDictionary::PieceDictionary() : slots_(std::vector<std::uint64_t>(16, 0)), mask_(15) {}

std::uint32_t PieceDictionary::intern(std::string_view piece) {
  const std::uint64_t hash = hash_bytes(piece);
  const std::uint32_t existing = find(piece, hash);
  if (existing != kNoId) return existing;
  const auto id = static_cast<std::uint32_t>(entries_.size());
  const Entry entry{hash, static_cast<std::uint32_t>(pool_.size()), static_cast<std::uint32_t>(piece.size()),
                    kNoId};
  entries_.edit([&](std::vector<Entry>& entries) { entries.push_back(entry); });
  pool_.edit([&](std::vector<char>& pool) { pool.insert(pool.end(), piece.begin(), piece.end()); });
  if (entries_.size() * 2 > slots_.size()) {
    grow();
  } else {
    insert_slot(hash, id);
  }
  return id;
}

void PieceDictionary::insert_slot(std::uint64_t hash, std::uint32_t id) {
  slots_.edit([&](std::vector<std::uint64_t>& slots) { place(slots, hash, id); });
}

void PieceDictionary::place(std::vector<std::uint64_t>& slots, std::uint64_t hash, std::uint32_t id) const {
  std::uint64_t slot = hash & mask_;
  while (slots[slot] != 0) slot = (slot + 1) & mask_;
  slots[slot] = (hash >> 32 << 32) | (static_cast<std::uint64_t>(id) + 1);
}

void PieceDictionary::grow() {
  std::vector<std::uint64_t> slots(slots_.size() * 2, 0);
  mask_ = slots.size() - 1;
  for (std::uint32_t id = 0; id < entries_.size(); ++id) place(slots, entries_[id].hash, id);
  slots_ = std::move(slots);
}

EdgeTable::EdgeTable() : slots_(std::vector<Slot>(16, Slot{0, 0})), mask_(15) {}

void EdgeTable::insert(std::uint64_t edge_key, std::uint32_t child) {
  if ((used_ + 1) * 2 > slots_.size()) grow();
  slots_.edit([&](std::vector<Slot>& slots) {
    std::uint64_t slot = mix(edge_key) & mask_;
    while (slots[slot].key != 0 && slots[slot].key != edge_key) slot = (slot + 1) & mask_;
    if (slots[slot].key == 0) ++used_;
    slots[slot] = {edge_key, child};
  });
}

void EdgeTable::grow() {
  std::vector<Slot> slots(slots_.size() * 2, Slot{0, 0});
  mask_ = slots.size() - 1;
  for (const Slot& s : slots_) {
    if (s.key == 0) continue;
    std::uint64_t slot = mix(s.key) & mask_;
    while (slots[slot].key != 0) slot = (slot + 1) & mask_;
    slots[slot] = s;
  }
  slots_ = std::move(slots);
}

void PieceFilter::build(std::vector<std::uint64_t> hashes) {
  // Sized by distinct hashes: many terms share a first piece ("the", "united"), and a filter sized
  // by terms would be several times larger than it needs, and fall out of the L1/L2 caches.
  std::sort(hashes.begin(), hashes.end());
  hashes.erase(std::unique(hashes.begin(), hashes.end()), hashes.end());
  std::size_t words = 64;
  shift_ = 64 - 6;
  while (words * 64 < hashes.size() * 16) {
    words *= 2;
    --shift_;
  }
  std::vector<std::uint64_t> bits(words, 0);
  for (std::uint64_t hash : hashes) {
    bits[hash >> shift_] |=
        (std::uint64_t{1} << ((hash >> 24) & 63)) | (std::uint64_t{1} << ((hash >> 30) & 63));
  }
  words_ = std::move(bits);
}

std::uint32_t AutomatonBuilder::new_node() {
  nodes_.emplace_back();
  return static_cast<std::uint32_t>(nodes_.size() - 1);
}

std::uint32_t AutomatonBuilder::child(std::uint32_t node, Edge edge, std::string_view piece) {
  const std::uint32_t id = automaton_.pieces.intern(piece);
  const bool from_root_dictionary = node == 0 && edge != Edge::kWildRoot;
  const std::uint64_t edge_key = EdgeTable::key(node, edge, id);
  std::uint32_t existing =
      from_root_dictionary ? automaton_.pieces.root_child(id) : automaton_.edges.find(edge_key);
  if (existing != kNoId) return existing;
  const std::uint32_t created = new_node();
  if (from_root_dictionary) {
    automaton_.pieces.set_root_child(id, created);
  } else {
    automaton_.edges.insert(edge_key, created);
    edge_hashes_.push_back(edge_hash(node, quick_hash(piece)));
  }
  nodes_[node].has_children = true;
  return created;
}

void AutomatonBuilder::add(const ParsedTerm& term, std::uint32_t index) {
  const std::size_t last = term.pieces.size() - 1;
  // A wildcard's last word piece is a prefix, looked up separately; every other piece is a trie edge.
  const bool prefix_piece = term.wildcard && term.pieces[last].word;
  const std::size_t path_length = prefix_piece ? last : last + 1;
  if (path_length > 0) {
    first_piece_hashes_.push_back(quick_hash(term.pieces[0].normalized));
    FirstPiece& uses = first_piece_uses_[term.pieces[0].normalized];
    // Found from its second piece: a term of two trie pieces or more whose first is a common word and
    // whose second is a word after a separator, which the skip loop sees as the next candidate.
    const bool deferrable = path_length >= 2 && term.pieces[0].word &&
                            common_word(term.pieces[0].normalized) && term.pieces[1].word &&
                            term.pieces[1].after_separator;
    uses.deferrable = uses.deferrable && deferrable;
    if (deferrable) uses.second_hashes.push_back(quick_hash(term.pieces[1].normalized));
  }
  if (path_length == 1) single_piece_hashes_.push_back(quick_hash(term.pieces[0].normalized));
  if (path_length > 1) {
    first_pair_hashes_.push_back(
        pair_hash(quick_hash(term.pieces[0].normalized), quick_hash(term.pieces[1].normalized)));
  }
  const std::string& first = term.pieces[0].normalized;
  if (!term.pieces[0].word && first.size() == 1 && static_cast<unsigned char>(first[0]) < 0x80)
    automaton_.ascii_other_first = true;
  if (!term.pieces[0].word && !first.empty() && static_cast<unsigned char>(first[0]) >= 0x80)
    automaton_.non_ascii_other_first = true;
  if (path_length == 0) root_wildcard_prefixes_.push_back(term.pieces[0].normalized);
  std::uint32_t node = 0;
  for (std::size_t i = 0; i < path_length; ++i) {
    const TermPiece& piece = term.pieces[i];
    node = child(node, piece.after_separator ? Edge::kSeparated : Edge::kAdjacent, piece.normalized);
  }
  if (!term.wildcard) {
    nodes_[node].terms.push_back(index);
    return;
  }
  WildcardPrefix prefix{};
  std::string_view head;
  if (prefix_piece) {
    head = term.pieces[last].normalized;
    prefix.edge = last == 0                           ? Edge::kWildRoot
                  : term.pieces[last].after_separator ? Edge::kWildSeparated
                                                      : Edge::kWildAdjacent;
  } else {
    // Ends with an other piece ("u.s.*"): matches there, or runs on through an adjacent word piece.
    nodes_[node].terms.push_back(index);
    prefix.edge = Edge::kWildAdjacent;
  }
  prefix.length = static_cast<std::uint32_t>(head.size());
  const std::uint32_t end_node = child(node, prefix.edge, head);
  nodes_[end_node].terms.push_back(index);
  auto& prefixes = nodes_[node].wildcards;
  const bool known = std::any_of(prefixes.begin(), prefixes.end(), [&](const WildcardPrefix& p) {
    return p.edge == prefix.edge && p.length == prefix.length;
  });
  if (!known) prefixes.push_back(prefix);
}

Automaton AutomatonBuilder::build() {
  std::vector<Node> nodes(nodes_.size());
  std::vector<std::uint32_t> terms;
  std::vector<WildcardPrefix> wildcards;
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    BuildNode& from = nodes_[i];
    Node& to = nodes[i];
    std::sort(from.terms.begin(), from.terms.end());
    to.terms_begin = static_cast<std::uint32_t>(terms.size());
    terms.insert(terms.end(), from.terms.begin(), from.terms.end());
    to.terms_end = static_cast<std::uint32_t>(terms.size());
    to.wild_begin = static_cast<std::uint32_t>(wildcards.size());
    wildcards.insert(wildcards.end(), from.wildcards.begin(), from.wildcards.end());
    to.wild_end = static_cast<std::uint32_t>(wildcards.size());
    to.continues = from.has_children || !from.wildcards.empty();
  }
  automaton_.nodes = std::move(nodes);
  automaton_.terms = std::move(terms);
  automaton_.wildcards = std::move(wildcards);
  nodes_.clear();
  automaton_.first_pieces.build(std::move(first_piece_hashes_));
  std::vector<std::uint64_t> skip_first, deferred_first;
  for (const auto& [piece, uses] : first_piece_uses_) {
    if (uses.deferrable) {
      deferred_first.push_back(quick_hash(piece));
      skip_first.insert(skip_first.end(), uses.second_hashes.begin(), uses.second_hashes.end());
    } else {
      skip_first.push_back(quick_hash(piece));
    }
  }
  first_piece_uses_.clear();
  automaton_.skip_first_pieces.build(std::move(skip_first));
  automaton_.deferred_first_pieces.build(std::move(deferred_first));
  automaton_.single_pieces.build(std::move(single_piece_hashes_));
  automaton_.first_pairs.build(std::move(first_pair_hashes_));
  automaton_.edge_pieces.build(std::move(edge_hashes_));
  if (!root_wildcard_prefixes_.empty()) {
    std::size_t shortest = root_wildcard_prefixes_[0].size();
    for (const std::string& prefix : root_wildcard_prefixes_) shortest = std::min(shortest, prefix.size());
    std::vector<std::uint64_t> heads;
    for (const std::string& prefix : root_wildcard_prefixes_) {
      heads.push_back(quick_hash(std::string_view(prefix).substr(0, shortest)));
    }
    automaton_.root_wildcard_heads.build(std::move(heads));
    automaton_.root_wildcard_min = static_cast<std::uint32_t>(shortest);
  }
  return std::move(automaton_);
}

}  // namespace newswatch::match_detail

namespace newswatch::match_detail {
namespace {

bool power_of_two(std::size_t n) { return n != 0 && (n & (n - 1)) == 0; }

}  // namespace

void PieceDictionary::save(ByteWriter& out) const {
  out.values(pool_);
  out.values(entries_);
  out.values(slots_);
}

bool PieceDictionary::load(ByteReader& in, std::size_t node_count) {
  pool_ = in.table<char>();
  entries_ = in.table<Entry>();
  slots_ = in.table<std::uint64_t>();
  // A lookup ends at an empty slot: the table must have one (intern keeps it at most half full).
  if (!in.ok() || !power_of_two(slots_.size()) || entries_.size() * 2 > slots_.size()) return false;
  mask_ = slots_.size() - 1;
  for (const Entry& e : entries_) {
    if (e.offset > pool_.size() || e.length > pool_.size() - e.offset) return false;
    if (e.root_child != kNoId && e.root_child >= node_count) return false;
  }
  std::size_t used = 0;
  for (std::uint64_t slot : slots_) {
    if (slot == 0) continue;
    ++used;
    if (static_cast<std::uint32_t>(slot) - 1 >= entries_.size()) return false;
  }
  return used == entries_.size();
}

void EdgeTable::save(ByteWriter& out) const {
  out.values(slots_);
  out.size(used_);
}

bool EdgeTable::load(ByteReader& in, std::size_t node_count) {
  slots_ = in.table<Slot>();
  used_ = in.size(0);
  if (!in.ok() || !power_of_two(slots_.size()) || used_ * 2 > slots_.size()) return false;
  mask_ = slots_.size() - 1;
  std::size_t used = 0;
  for (const Slot& s : slots_) {
    if (s.key == 0) continue;
    ++used;
    if (s.child >= node_count) return false;
  }
  return used == used_;
}

void PieceFilter::save(ByteWriter& out) const { out.values(words_); }

bool PieceFilter::load(ByteReader& in) {
  words_ = in.table<std::uint64_t>();
  // Two words at least, so that the shift stays below 64.
  if (!in.ok() || words_.size() < 2 || !power_of_two(words_.size())) return false;
  shift_ = 64;
  for (std::size_t size = words_.size(); size > 1; size /= 2) --shift_;
  return true;
}

void Automaton::save(ByteWriter& out) const {
  out.values(nodes);
  out.values(terms);
  out.values(wildcards);
  pieces.save(out);
  edges.save(out);
  for (const PieceFilter* filter :
       {&first_pieces, &single_pieces, &first_pairs, &edge_pieces, &root_wildcard_heads, &skip_first_pieces,
        &deferred_first_pieces})
    filter->save(out);
  out.value(root_wildcard_min);
  out.value(static_cast<std::uint8_t>(ascii_other_first));
  out.value(static_cast<std::uint8_t>(non_ascii_other_first));
}

bool Automaton::load(ByteReader& in, std::size_t term_count) {
  nodes = in.table<Node>();
  terms = in.table<std::uint32_t>();
  wildcards = in.table<WildcardPrefix>();
  if (!in.ok() || nodes.empty()) return false;
  for (const Node& n : nodes) {
    // A bool holding anything but 0 or 1 is undefined behaviour to read: look at its byte first.
    std::uint8_t continues = 0;
    std::memcpy(&continues, reinterpret_cast<const unsigned char*>(&n) + offsetof(Node, continues), 1);
    if (continues > 1) return false;
    if (n.terms_begin > n.terms_end || n.terms_end > terms.size()) return false;
    if (n.wild_begin > n.wild_end || n.wild_end > wildcards.size()) return false;
  }
  for (std::uint32_t term : terms) {
    if (term >= term_count) return false;
  }
  for (const WildcardPrefix& w : wildcards) {
    if (w.edge < Edge::kAdjacent || w.edge > Edge::kWildRoot) return false;
  }
  if (!pieces.load(in, nodes.size()) || !edges.load(in, nodes.size())) return false;
  for (PieceFilter* filter :
       {&first_pieces, &single_pieces, &first_pairs, &edge_pieces, &root_wildcard_heads, &skip_first_pieces,
        &deferred_first_pieces}) {
    if (!filter->load(in)) return false;
  }
  root_wildcard_min = in.value<std::uint32_t>();
  const auto ascii = in.value<std::uint8_t>();
  const auto non_ascii = in.value<std::uint8_t>();
  if (!in.ok() || ascii > 1 || non_ascii > 1) return false;
  ascii_other_first = ascii != 0;
  non_ascii_other_first = non_ascii != 0;
  return true;
}

}  // namespace newswatch::match_detail
