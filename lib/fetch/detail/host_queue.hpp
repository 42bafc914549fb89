#pragma once
// A FIFO queue that hands out items only for hosts below a per-host limit, in submission order among
// the hosts that may start. O(log hosts) per operation, so 10,000 queued feeds cost nothing to walk.
// Private to lib/fetch. Not thread-safe.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <queue>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace newswatch::fetch_detail {

template <typename Item>
class HostQueue {
 public:
  explicit HostQueue(std::size_t per_host_limit) : per_host_limit_(per_host_limit ? per_host_limit : 1) {}

  void push(const std::string& host, Item item) {
    Host& entry = hosts_[host];
    entry.waiting.emplace_back(next_sequence_++, std::move(item));
    ++waiting_;
    if (entry.waiting.size() == 1 && entry.active < per_host_limit_) mark_ready(host, entry);
  }

  // The oldest item whose host has a free slot; the slot stays taken until release(host).
  std::optional<Item> pop_ready() {
    if (ready_.empty()) return std::nullopt;
    std::string host = ready_.top().second;
    ready_.pop();
    Host& entry = hosts_.at(host);
    Item item = std::move(entry.waiting.front().second);
    entry.waiting.pop_front();
    --waiting_;
    ++entry.active;
    if (!entry.waiting.empty() && entry.active < per_host_limit_) mark_ready(host, entry);
    return item;
  }

  void release(const std::string& host) {
    auto found = hosts_.find(host);
    if (found == hosts_.end() || found->second.active == 0) return;
    Host& entry = found->second;
    --entry.active;
    // At the limit the host was left out of ready_; now it may start its next item.
    if (entry.active + 1 == per_host_limit_ && !entry.waiting.empty()) mark_ready(host, entry);
    if (entry.active == 0 && entry.waiting.empty()) hosts_.erase(found);
  }

  std::size_t waiting() const { return waiting_; }
  std::size_t active(const std::string& host) const {
    auto found = hosts_.find(host);
    return found == hosts_.end() ? 0 : found->second.active;
  }

  // Removes every waiting item, oldest first; active slots stay taken.
  std::vector<Item> drain() {
    std::vector<std::pair<std::uint64_t, Item>> all;
    for (auto& [host, entry] : hosts_) {
      for (auto& waiting : entry.waiting) all.push_back(std::move(waiting));
      entry.waiting.clear();
    }
    std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    ready_ = {};
    waiting_ = 0;
    std::erase_if(hosts_, [](const auto& entry) { return entry.second.active == 0; });
    std::vector<Item> items;
    items.reserve(all.size());
    for (auto& [sequence, item] : all) items.push_back(std::move(item));
    return items;
  }

 private:
  struct Host {
    std::deque<std::pair<std::uint64_t, Item>> waiting;
    std::size_t active = 0;
  };
  using Ready = std::pair<std::uint64_t, std::string>;  // (sequence of the host's oldest item, host)

  // A host is in ready_ exactly when it has waiting items and a free slot, keyed by its oldest item.
  void mark_ready(const std::string& host, const Host& entry) {
    ready_.emplace(entry.waiting.front().first, host);
  }

  std::size_t per_host_limit_;
  std::uint64_t next_sequence_ = 0;
  std::size_t waiting_ = 0;
  std::unordered_map<std::string, Host> hosts_;
  std::priority_queue<Ready, std::vector<Ready>, std::greater<Ready>> ready_;
};

}  // namespace newswatch::fetch_detail
