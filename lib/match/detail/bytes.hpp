#pragma once
// The compiled matcher as bytes, for the on-disk cache (match/matcher_cache.hpp). Values are written
// in the host's layout: a cache file is keyed by the build that wrote it, so only the same code on the
// same machine reads it back. The reader still checks every length against what is left, so a short
// or damaged file fails to load instead of reading past its end. Private to lib/match.
//
// Arrays start at a multiple of 8 bytes from the start of the bytes, so that a reader whose bytes are
// 8-aligned (a mapped file's header is a multiple of 8) can hand out tables that look at them.
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "match/detail/table.hpp"

namespace newswatch::match_detail {

inline constexpr std::size_t kArrayAlignment = 8;

class ByteWriter {
 public:
  template <typename T>
  void value(const T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    out_.append(reinterpret_cast<const char*>(&v), sizeof v);
  }
  void size(std::size_t n) { value(static_cast<std::uint64_t>(n)); }
  void text(std::string_view s) {
    size(s.size());
    out_.append(s);
  }
  template <typename T>
  void values(const std::vector<T>& v) {
    values(v.data(), v.size());
  }
  template <typename T>
  void values(const Table<T>& t) {
    values(t.data(), t.size());
  }

  const std::string& bytes() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  template <typename T>
  void values(const T* data, std::size_t n) {
    static_assert(std::is_trivially_copyable_v<T> && alignof(T) <= kArrayAlignment);
    size(n);
    out_.append((kArrayAlignment - out_.size() % kArrayAlignment) % kArrayAlignment, '\0');
    out_.append(reinterpret_cast<const char*>(data), n * sizeof(T));
  }

  std::string out_;
};

class ByteReader {
 public:
  // Tables read are copies of the bytes.
  explicit ByteReader(std::string_view in) : in_(in), start_(in.data()) {}
  // Tables read look at the bytes, which `owner` keeps alive: whatever is restored keeps a copy of it.
  ByteReader(std::string_view in, std::shared_ptr<const void> owner)
      : in_(in), start_(in.data()), owner_(std::move(owner)) {}

  // What keeps the bytes that tables look at alive; null when tables are copies.
  const std::shared_ptr<const void>& owner() const { return owner_; }

  // Whether everything read so far was there; once false, every later read yields zeros.
  bool ok() const { return ok_; }
  bool at_end() const { return ok_ && in_.empty(); }

  template <typename T>
  T value() {
    static_assert(std::is_trivially_copyable_v<T>);
    T v{};
    if (take(sizeof v)) std::memcpy(&v, consumed_, sizeof v);
    return v;
  }
  // A count of elements of `element_size` bytes each, refused when the rest of the input cannot hold
  // them, so that a damaged count never allocates more than the file's size.
  std::size_t size(std::size_t element_size = 1) {
    const auto n = value<std::uint64_t>();
    if (element_size != 0 && n > in_.size() / element_size) {
      ok_ = false;
      return 0;
    }
    return static_cast<std::size_t>(n);
  }
  std::string text() {
    const std::size_t n = size();
    if (!take(n)) return {};
    return std::string(consumed_, n);
  }
  template <typename T>
  std::vector<T> values() {
    const std::size_t n = array<T>();
    std::vector<T> v(n);
    if (n != 0 && take(n * sizeof(T))) std::memcpy(v.data(), consumed_, n * sizeof(T));
    return v;
  }
  // values() as a table that looks at the bytes when there is an owner and they are aligned for T.
  template <typename T>
  Table<T> table() {
    if (owner_ == nullptr) return values<T>();
    const std::size_t n = array<T>();
    if (n == 0 || !take(n * sizeof(T))) return {};
    if (reinterpret_cast<std::uintptr_t>(consumed_) % alignof(T) != 0) {
      std::vector<T> v(n);
      std::memcpy(v.data(), consumed_, n * sizeof(T));
      return v;
    }
    return Table<T>::viewing(reinterpret_cast<const T*>(consumed_), n);
  }
  // Marks the input as damaged (a value out of range, an index past its table).
  void fail() { ok_ = false; }

 private:
  // An array's element count, with the padding after it skipped.
  template <typename T>
  std::size_t array() {
    static_assert(std::is_trivially_copyable_v<T> && alignof(T) <= kArrayAlignment);
    const std::size_t n = size(sizeof(T));
    const auto offset = static_cast<std::size_t>(in_.data() - start_);
    take((kArrayAlignment - offset % kArrayAlignment) % kArrayAlignment);
    if (n > in_.size() / sizeof(T)) ok_ = false;
    return ok_ ? n : 0;
  }

  bool take(std::size_t n) {
    if (!ok_ || n > in_.size()) {
      ok_ = false;
      return false;
    }
    consumed_ = in_.data();
    in_.remove_prefix(n);
    return true;
  }

  std::string_view in_;
  const char* start_;
  std::shared_ptr<const void> owner_;
  const char* consumed_ = nullptr;
  bool ok_ = true;
};

}  // namespace newswatch::match_detail
