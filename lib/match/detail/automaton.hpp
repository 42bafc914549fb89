#pragma once
// The compiled form of all terms of one stream (case-folded, or case-kept for match_case terms): a trie
// whose edges are labelled with whole pieces, stored as two open-addressing hash tables so that a text
// piece costs one hash and one probe however many terms there are. Private to lib/match.
//
//   PieceDictionary: normalised piece (or wildcard prefix) -> dense id, plus the trie child of the root
//                    for that piece, so a first piece needs one probe.
//   EdgeTable:       (node, how the piece is joined, piece id) -> child node.
//
// A node lists the terms that end there and, for wildcard terms, the prefix lengths to try on the next
// word piece. Immutable after AutomatonBuilder::build, so any number of threads may scan with it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "match/detail/bytes.hpp"
#include "match/detail/piece_hash.hpp"
#include "match/detail/piece_scanner.hpp"
#include "match/detail/table.hpp"
#include "match/detail/term_pieces.hpp"
#include "match/term_matcher.hpp"

namespace newswatch::match_detail {

inline constexpr std::uint32_t kNoId = 0xFFFFFFFFu;

enum class Edge : std::uint8_t {
  kAdjacent = 1,       // next piece of the same word
  kSeparated = 2,      // first piece of the next word
  kWildAdjacent = 3,   // wildcard run-on right after the previous piece ("u.s.*", "d'ivo*")
  kWildSeparated = 4,  // wildcard last word after a separator ("troop withdraw*")
  kWildRoot = 5,       // wildcard first and only word piece ("withdraw*")
};

class PieceDictionary {
 public:
  PieceDictionary();
  std::uint32_t find(std::string_view piece, std::uint64_t hash) const {
    const std::uint32_t tag = static_cast<std::uint32_t>(hash >> 32);
    for (std::uint64_t slot = hash & mask_;; slot = (slot + 1) & mask_) {
      const std::uint64_t entry = slots_[slot];
      if (entry == 0) return kNoId;
      if (static_cast<std::uint32_t>(entry >> 32) != tag) continue;
      const std::uint32_t id = static_cast<std::uint32_t>(entry) - 1;
      const Entry& e = entries_[id];
      if (e.hash == hash && std::string_view(pool_.data() + e.offset, e.length) == piece) return id;
    }
  }
  std::uint32_t root_child(std::uint32_t id) const { return entries_[id].root_child; }

  std::uint32_t intern(std::string_view piece);
  void set_root_child(std::uint32_t id, std::uint32_t node) {
    entries_.edit([&](std::vector<Entry>& entries) { entries[id].root_child = node; });
  }
  std::size_t size() const { return entries_.size(); }

  // For the cache: load is false when the bytes cannot be a dictionary of a trie of node_count nodes.
  void save(ByteWriter& out) const;
  bool load(ByteReader& in, std::size_t node_count);

 private:
  struct Entry {
    std::uint64_t hash;
    std::uint32_t offset;
    std::uint32_t length;
    std::uint32_t root_child;
  };
  void insert_slot(std::uint64_t hash, std::uint32_t id);
  void place(std::vector<std::uint64_t>& slots, std::uint64_t hash, std::uint32_t id) const;
  void grow();

  Table<char> pool_;
  Table<Entry> entries_;
  Table<std::uint64_t> slots_;  // (hash >> 32) << 32 | (id + 1); 0 is empty
  std::uint64_t mask_ = 0;
};

class EdgeTable {
 public:
  EdgeTable();
  static std::uint64_t key(std::uint32_t node, Edge edge, std::uint32_t piece) {
    return (static_cast<std::uint64_t>(node) << 35) | (static_cast<std::uint64_t>(edge) << 32) | piece;
  }
  std::uint32_t find(std::uint64_t edge_key) const {
    for (std::uint64_t slot = mix(edge_key) & mask_;; slot = (slot + 1) & mask_) {
      const Slot& s = slots_[slot];
      if (s.key == edge_key) return s.child;
      if (s.key == 0) return kNoId;
    }
  }
  void insert(std::uint64_t edge_key, std::uint32_t child);

  void save(ByteWriter& out) const;
  bool load(ByteReader& in, std::size_t node_count);

 private:
  struct Slot {
    std::uint64_t key;  // never 0: Edge values start at 1
    std::uint32_t child;
  };
  static std::uint64_t mix(std::uint64_t k) {
    k ^= k >> 29;
    k *= 0xbf58476d1ce4e5b9ull;
    return k ^ (k >> 32);
  }
  void grow();

  Table<Slot> slots_;
  std::size_t used_ = 0;
  std::uint64_t mask_ = 0;
};

// A two-bit Bloom filter over piece hashes, small enough to stay in L1/L2: most text pieces start
// nothing, and the filter lets them pass without touching the dictionary. Its words are picked by a
// hash's top bits and the two bits in a word by two of its middle six-bit groups: quick_hash is a bare
// product, whose low bits depend on little of the piece, and a shift by a register takes only the
// low six bits of its count, so each of the three costs one instruction.
class PieceFilter {
 public:
  // The filter's words by address, for a loop that keeps them in registers.
  struct View {
    const std::uint64_t* words;
    unsigned shift;  // 64 - log2(word count): a filter has two words at least
    bool may_contain(std::uint64_t hash) const {
      // Both bits shifted down to bit 0 rather than a mask of them built and compared: fewer
      // instructions, for a test that every word of every text meets.
      const std::uint64_t word = words[hash >> shift];
      return ((word >> ((hash >> 24) & 63)) & (word >> ((hash >> 30) & 63)) & 1) != 0;
    }
  };

  void build(std::vector<std::uint64_t> hashes);
  bool may_contain(std::uint64_t hash) const { return view().may_contain(hash); }
  View view() const { return {words_.data(), shift_}; }

  void save(ByteWriter& out) const;
  bool load(ByteReader& in);

 private:
  Table<std::uint64_t> words_{std::vector<std::uint64_t>{0, 0}};
  unsigned shift_ = 63;
};

struct WildcardPrefix {
  Edge edge;
  std::uint32_t length;  // bytes of normalised text; 0 only after an other piece
};

struct Node {
  std::uint32_t terms_begin = 0, terms_end = 0;  // into Automaton::terms
  std::uint32_t wild_begin = 0, wild_end = 0;    // into Automaton::wildcards
  bool continues = false;                        // has children or wildcard prefixes
};

struct Automaton {
  PieceDictionary pieces;
  EdgeTable edges;
  Table<Node> nodes{std::vector<Node>{Node{}}};  // nodes[0] is the root
  Table<std::uint32_t> terms;
  Table<WildcardPrefix> wildcards;
  // Filters over quick_hash: pieces that can start a match (first pieces of terms, and the first
  // root_wildcard_min bytes of the prefixes of one-word wildcard terms; 0 when there are none), and
  // pieces that can continue one.
  PieceFilter first_pieces;
  // first_pieces split for text that is skipped unseen: the first pieces of terms that a single piece
  // can match (or start with a wildcard after it), and pair_hash of the first two pieces of the rest.
  PieceFilter single_pieces;
  PieceFilter first_pairs;
  PieceFilter edge_pieces;  // edge_hash(node, piece) of every edge below the root
  PieceFilter root_wildcard_heads;
  // first_pieces as the skip loop sees them: a common word that only starts terms of two pieces or
  // more ("the" of "the united states") is replaced by those terms' second pieces, which are far rarer
  // in text; a second piece that passes is then checked with the piece before it (first_pairs).
  PieceFilter skip_first_pieces;
  PieceFilter deferred_first_pieces;  // the common words that skip_first_pieces leaves out
  std::uint32_t root_wildcard_min = 0;
  // Some term starts with an ASCII character that is neither letter, digit nor separator ("#tag"):
  // then such characters in the text cannot be skipped unseen.
  bool ascii_other_first = false;
  // Some term starts with a non-ASCII character that is neither letter, digit nor separator ("“"):
  // then curly quotes cannot be passed over unseen either.
  bool non_ascii_other_first = false;
  bool empty() const { return terms.empty(); }

  // For the cache: load is false when the bytes are not an automaton over term_count terms.
  void save(ByteWriter& out) const;
  bool load(ByteReader& in, std::size_t term_count);
};

class AutomatonBuilder {
 public:
  void add(const ParsedTerm& term, std::uint32_t index);
  Automaton build();

 private:
  struct BuildNode {
    std::vector<std::uint32_t> terms;
    std::vector<WildcardPrefix> wildcards;
    bool has_children = false;
  };
  std::uint32_t child(std::uint32_t node, Edge edge, std::string_view piece);
  std::uint32_t new_node();

  Automaton automaton_;
  std::vector<BuildNode> nodes_{BuildNode{}};
  std::vector<std::uint64_t> first_piece_hashes_;
  std::vector<std::uint64_t> single_piece_hashes_;
  std::vector<std::uint64_t> first_pair_hashes_;
  // By first piece: whether every term that starts with it may be found from its second piece instead,
  // and the quick hashes of those second pieces.
  struct FirstPiece {
    bool deferrable = true;
    std::vector<std::uint64_t> second_hashes;
  };
  std::unordered_map<std::string, FirstPiece> first_piece_uses_;
  std::vector<std::uint64_t> edge_hashes_;
  std::vector<std::string> root_wildcard_prefixes_;
};

// Follows every partial match through the pieces of one text, reporting hits. Used as a PieceScanner
// sink; the vectors are the caller's reusable working memory.
class StreamMatcher {
 public:
  struct Partial {
    std::uint32_t node;
    std::size_t start;
  };
  StreamMatcher(const Automaton& automaton, std::vector<TermHit>& hits, std::vector<Partial>& current,
                std::vector<Partial>& next)
      : a_(automaton), hits_(hits), current_(current), next_(next), root_wildcard_min_(automaton.root_wildcard_min) {
    current_.clear();
  }

  // Whether a piece of ASCII text [p, p + size) with this quick_hash can matter. When the filters rule out
  // that it continues a partial match or starts one, the piece is consumed here (the partial matches
  // end) and the scanner skips it.
  template <bool kFold>
  bool wants_ascii(std::uint64_t quick, const char* p, std::size_t size, std::size_t available, bool word,
                   bool may_start) {
    for (const Partial& partial : current_) {
      const Node& n = a_.nodes[partial.node];
      if (n.wild_begin != n.wild_end || a_.edge_pieces.may_contain(edge_hash(partial.node, quick)))
        return true;
    }
    if (may_start && starts_something<kFold>(quick, p, size, available, word)) return true;
    current_.clear();
    return false;
  }

  // No partial match is open: only a piece that starts one matters.
  bool idle() const { return current_.empty(); }
  bool other_may_start() const { return a_.ascii_other_first; }
  bool root_wildcards() const { return root_wildcard_min_ != 0; }
  bool non_ascii_other_may_start() const { return a_.non_ascii_other_first; }
  // The first, cheap stage of piece_may_start and root_wildcard_head_may_start: false means both are
  // false too. Written without branches, for a loop over many pieces whose answers are mostly no; a
  // value, so that the skip loop holds it in registers across its stores.
  struct QuickStart {
    PieceFilter::View skip_first_pieces;
    PieceFilter::View root_wildcard_heads;
    std::size_t root_wildcard_min;

    // kWildcards: root_wildcard_min != 0, decided once per text by the caller, who then passes head,
    // the quick_hash of the piece's first root_wildcard_min normalised bytes (anything when the piece
    // is shorter).
    template <bool kWildcards>
    bool may_start(std::uint64_t quick, std::uint64_t head, std::size_t size, bool word) const {
      bool result = skip_first_pieces.may_contain(quick);
      if constexpr (kWildcards) {
        result |= word && size >= root_wildcard_min && root_wildcard_heads.may_contain(head);
      }
      return result;
    }
  };
  QuickStart quick_start() const {
    return {a_.skip_first_pieces.view(), a_.root_wildcard_heads.view(), root_wildcard_min_};
  }
  // Whether a piece may be a common word that starts terms but is left out of skip_first_pieces.
  bool deferred_first_piece(std::uint64_t quick) const { return a_.deferred_first_pieces.may_contain(quick); }
  // Whether two pieces may be the first two of a term, from their quick_hash.
  bool pair_may_start(std::uint64_t first_quick, std::uint64_t second_quick) const {
    return a_.first_pairs.may_contain(pair_hash(first_quick, second_quick));
  }
  std::size_t root_wildcard_min() const { return root_wildcard_min_; }

  // Whether a whole piece (a word, or one other character) that no letter or digit precedes may start a
  // match as the first piece of a term, from its quick_hash; next() describes the piece after it (a
  // FollowingPiece) and is asked only when the piece is the first of terms of two pieces or more.
  // Common words ("the", "a", "in") are the first pieces of some of many terms: checking the next
  // piece here is much cheaper than opening a partial match for each of them.
  template <typename NextPiece>
  bool piece_may_start(std::uint64_t quick, NextPiece&& next) const {
    // skip_first_pieces holds single_pieces: most pieces are neither, and that takes one probe.
    if (!a_.skip_first_pieces.may_contain(quick)) return false;
    if (a_.single_pieces.may_contain(quick)) return true;
    const FollowingPiece following = next();
    return !following.known ||
           (following.exists && a_.first_pairs.may_contain(pair_hash(quick, following.quick)));
  }
  // Whether a word of root_wildcard_min() normalised bytes or more may start a match of a one-word
  // wildcard term, from the quick_hash of its first root_wildcard_min() bytes.
  bool root_wildcard_head_may_start(std::uint64_t head) const {
    return a_.root_wildcard_heads.may_contain(head);
  }

  void operator()(const Piece& piece) {
    next_.clear();
    if (piece.word) {
      const Edge wild_edge = piece.after_separator ? Edge::kWildSeparated : Edge::kWildAdjacent;
      for (const Partial& partial : current_) try_wildcards(partial.node, wild_edge, partial.start, piece);
      const Node& root = a_.nodes[0];
      if (piece.may_start && root.wild_begin != root.wild_end)
        try_wildcards(0, Edge::kWildRoot, piece.start, piece);
    }
    const std::uint32_t id = a_.pieces.find(piece.normalized, piece.hash);
    if (id != kNoId) {
      const Edge edge = piece.after_separator ? Edge::kSeparated : Edge::kAdjacent;
      for (const Partial& partial : current_) {
        const std::uint32_t node = a_.edges.find(EdgeTable::key(partial.node, edge, id));
        if (node != kNoId) reach(node, partial.start, piece);
      }
      if (piece.may_start) {
        const std::uint32_t node = a_.pieces.root_child(id);
        if (node != kNoId) reach(node, piece.start, piece);
      }
    }
    current_.swap(next_);
  }

 private:
  template <bool kFold>
  bool starts_something(std::uint64_t quick, const char* p, std::size_t size, std::size_t available,
                        bool word) const {
    if (a_.first_pieces.may_contain(quick)) return true;
    const std::size_t head = a_.root_wildcard_min;
    if (!word || head == 0 || size < head) return false;
    return a_.root_wildcard_heads.may_contain(quick_hash(p, head, available, kFold ? kFoldAsciiWord : 0));
  }

  void reach(std::uint32_t node, std::size_t start, const Piece& piece) {
    const Node& n = a_.nodes[node];
    if (piece.may_end) emit(n, start, piece.end);
    if (n.continues) next_.push_back({node, start});
  }

  void try_wildcards(std::uint32_t node, Edge edge, std::size_t start, const Piece& piece) {
    const Node& n = a_.nodes[node];
    if (!piece.may_end || n.wild_begin == n.wild_end) return;
    for (std::uint32_t w = n.wild_begin; w < n.wild_end; ++w) {
      const WildcardPrefix& prefix = a_.wildcards[w];
      if (prefix.edge != edge || prefix.length > piece.normalized.size()) continue;
      const std::string_view head = piece.normalized.substr(0, prefix.length);
      const std::uint32_t id = a_.pieces.find(head, hash_bytes(head));
      if (id == kNoId) continue;
      const std::uint32_t end_node = a_.edges.find(EdgeTable::key(node, edge, id));
      if (end_node != kNoId) emit(a_.nodes[end_node], start, piece.end);
    }
  }

  void emit(const Node& n, std::size_t start, std::size_t end) {
    for (std::uint32_t t = n.terms_begin; t < n.terms_end; ++t) hits_.push_back({a_.terms[t], start, end});
  }

  const Automaton& a_;
  std::vector<TermHit>& hits_;
  std::vector<Partial>& current_;
  std::vector<Partial>& next_;
  const std::size_t root_wildcard_min_;  // a copy the compiler can keep in a register
};

}  // namespace newswatch::match_detail
