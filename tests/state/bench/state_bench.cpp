// Throughput of the state store under both durability settings: the per-poll commit (articles +
// outbox rows in one transaction) and the outbox replay path (pending + acknowledge in pages).
// Not a test: it asserts nothing about time. Build (after building newswatch_state) and run:
//   c++ -std=c++20 -O2 -Ilib tests/state/bench/state_bench.cpp BUILD/lib/libnewswatch_state.a
//       BUILD/lib/libnewswatch_common.a -lsqlite3 -lcrypto -o state_bench
//   ./state_bench [directory]   (default: the current directory; use the disk the daemon will use)
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "state/state_store.hpp"

using namespace newswatch;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

int run(const std::filesystem::path& directory, Durability durability, const char* name) {
  const std::filesystem::path path = directory / (std::string("state-bench-") + name + ".db");
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
  StateOptions options;
  options.durability = durability;
  auto opened = StateStore::open(path.string(), options);
  if (!opened) {
    std::fprintf(stderr, "%s\n", opened.error().describe().c_str());
    return 1;
  }
  StateStore& store = *opened.value();
  const std::string payload(1000, 'j');  // about the size of an alert's JSON
  const auto now = std::chrono::system_clock::now();

  // A poll's commit: 50 new articles, 10 of which alerted.
  constexpr int kBatches = 2000;
  constexpr int kArticles = 50;
  auto start = Clock::now();
  for (int batch = 0; batch < kBatches; ++batch) {
    std::vector<ProcessedArticle> articles;
    for (int i = 0; i < kArticles; ++i) {
      ProcessedArticle article{std::to_string(batch) + "/" + std::to_string(i), std::nullopt};
      if (i % 5 == 0) article.alert = OutboxEntry{article.identity, "medium", payload, "https://e.org/f"};
      articles.push_back(std::move(article));
    }
    if (!store.commit_articles(articles, now)) return 1;
  }
  const double commit_seconds = seconds_since(start);

  // Replay: the outbox now holds kBatches * 10 alerts; read and acknowledge them in pages.
  const std::size_t depth = store.outbox_depth();
  start = Clock::now();
  std::size_t replayed = 0;
  for (int64_t after = 0;;) {
    auto rows = store.pending(1000, after);
    if (!rows || rows.value().empty()) break;
    std::vector<int64_t> ids;
    for (const auto& row : rows.value()) ids.push_back(row.id);
    after = ids.back();
    auto acknowledged = store.acknowledge(ids);
    if (!acknowledged) return 1;
    replayed += acknowledged.value();
  }
  const double replay_seconds = seconds_since(start);

  // seen() on a feed of 50 known articles: the steady-state poll of an unchanged feed.
  std::vector<std::string> names;
  for (int i = 0; i < kArticles; ++i) names.push_back("7/" + std::to_string(i));
  const std::vector<std::string_view> views(names.begin(), names.end());
  constexpr int kSeenCalls = 2000;
  start = Clock::now();
  for (int call = 0; call < kSeenCalls; ++call) {
    if (!store.seen(views, now)) return 1;
  }
  const double seen_seconds = seconds_since(start);

  std::printf("%-7s commit: %6.0f transactions/s (%7.0f articles/s, %6.0f alerts/s)  replay: %7.0f alerts/s "
              "(%zu of %zu)  seen: %7.0f articles/s\n",
              name, kBatches / commit_seconds, kBatches * kArticles / commit_seconds,
              kBatches * kArticles / 5 / commit_seconds, static_cast<double>(replayed) / replay_seconds,
              replayed, depth, kSeenCalls * kArticles / seen_seconds);
  opened.value().reset();  // close before removing: never delete a live WAL
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::filesystem::path directory = argc > 1 ? argv[1] : ".";
  if (run(directory, Durability::process_crash, "NORMAL") != 0) return 1;
  if (run(directory, Durability::power_loss, "FULL") != 0) return 1;
  return 0;
}
