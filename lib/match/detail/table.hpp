#pragma once
// One table of a compiled matcher: an array of trivially copyable records that either holds its own
// elements (compiled from watchlists, or copied out of a cache entry) or looks at a cache entry's
// mapped bytes, which whoever restored it keeps alive (ByteReader's owner). Looking saves copying the
// 2.4 MB of a 10,000-term matcher into fresh heap pages, a page fault every 4 KB: 0.7 ms of a
// 17 ms scan. Reads cost the same either way: data() is a plain pointer. Private to lib/match.
#include <cstddef>
#include <type_traits>
#include <utility>
#include <vector>

namespace newswatch::match_detail {

template <typename T>
class Table {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  Table() = default;
  Table(std::vector<T> elements) : owned_(std::move(elements)) { look_at_owned(); }  // NOLINT: implicit
  // A table that looks at `size` elements at `data`, which must outlive it (and its copies).
  static Table viewing(const T* data, std::size_t size) {
    Table table;
    table.data_ = data;
    table.size_ = size;
    table.viewing_ = true;
    return table;
  }

  Table(const Table& other)
      : owned_(other.owned_), data_(other.data_), size_(other.size_), viewing_(other.viewing_) {
    if (!viewing_) look_at_owned();
  }
  Table(Table&& other) noexcept
      : owned_(std::move(other.owned_)), data_(other.data_), size_(other.size_), viewing_(other.viewing_) {
    if (!viewing_) look_at_owned();
    other.clear();
  }
  Table& operator=(Table other) noexcept {
    owned_.swap(other.owned_);
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
    std::swap(viewing_, other.viewing_);
    if (!viewing_) look_at_owned();
    return *this;
  }

  const T* data() const { return data_; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const T& operator[](std::size_t i) const { return data_[i]; }
  const T* begin() const { return data_; }
  const T* end() const { return data_ + size_; }

  // Changes the elements while a matcher is built; a viewing table takes a copy of them first.
  template <typename Change>
  void edit(Change&& change) {
    if (viewing_) {
      owned_.assign(data_, data_ + size_);
      viewing_ = false;
    }
    change(owned_);
    look_at_owned();
  }

 private:
  void look_at_owned() {
    data_ = owned_.data();
    size_ = owned_.size();
  }
  void clear() {
    owned_.clear();
    data_ = nullptr;
    size_ = 0;
    viewing_ = false;
  }

  std::vector<T> owned_;
  const T* data_ = nullptr;
  std::size_t size_ = 0;
  bool viewing_ = false;
};

}  // namespace newswatch::match_detail
