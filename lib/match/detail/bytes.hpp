#pragma once
// The compiled matcher as bytes, for the on-disk cache (match/matcher_cache.hpp). Values are written
// in the host's layout: a cache file is keyed by the build that wrote it, so only the same code on the
// same machine reads it back. The reader still checks every length against what is left, so a short
// or damaged file fails to load instead of reading past its end. Private to lib/match.
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace newswatch::match_detail {

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
    static_assert(std::is_trivially_copyable_v<T>);
    size(v.size());
    out_.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
  }

  const std::string& bytes() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

class ByteReader {
 public:
  explicit ByteReader(std::string_view in) : in_(in) {}

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
    static_assert(std::is_trivially_copyable_v<T>);
    const std::size_t n = size(sizeof(T));
    std::vector<T> v(n);
    if (n != 0 && take(n * sizeof(T))) std::memcpy(v.data(), consumed_, n * sizeof(T));
    return v;
  }
  // Marks the input as damaged (a value out of range, an index past its table).
  void fail() { ok_ = false; }

 private:
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
  const char* consumed_ = nullptr;
  bool ok_ = true;
};

}  // namespace newswatch::match_detail
