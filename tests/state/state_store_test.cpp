#include "state/state_store.hpp"

#include <sqlite3.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <string>
#include <vector>

#include "temp_dir.hpp"

using namespace newswatch;
using namespace std::chrono_literals;
using newswatch::testing::TempDir;

namespace {

const StateTime t0 = std::chrono::sys_days(std::chrono::year(2026) / 11 / 28);

std::string unix_ms(StateTime time) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch());
  return std::to_string(ms.count());
}

std::unique_ptr<StateStore> open_store(const std::string& path, StateOptions options = {}) {
  auto opened = StateStore::open(path, options);
  if (!opened) FAIL(opened.error().describe());
  return std::move(opened).value();
}

ProcessedArticle article(const std::string& identity, bool alerts) {
  ProcessedArticle processed{identity, std::nullopt};
  if (alerts) {
    processed.alert = OutboxEntry{"alert-" + identity, "high", R"({"id":")" + identity + R"("})",
                                  "https://feeds.example.org/" + identity + ".rss"};
  }
  return processed;
}

// "n" + std::to_string(i) trips GCC 12's false -Wrestrict at -O3 (GCC bug 105329); append instead.
std::string numbered(std::string prefix, int number) { return prefix.append(std::to_string(number)); }

std::vector<bool> seen(StateStore& store, const std::vector<std::string_view>& identities, StateTime now) {
  auto result = store.seen(identities, now);
  if (!result) FAIL(result.error().describe());
  return result.value();
}

std::vector<OutboxRow> all_pending(StateStore& store) {
  auto rows = store.pending(1'000'000, 0);
  if (!rows) FAIL(rows.error().describe());
  return rows.value();
}

// Direct SQL on the file, for what the store's API deliberately hides (integrity, injected faults).
class RawDb {
 public:
  explicit RawDb(const std::string& path) { REQUIRE(sqlite3_open(path.c_str(), &db_) == SQLITE_OK); }
  ~RawDb() { sqlite3_close(db_); }
  void exec(const std::string& sql) {
    char* message = nullptr;
    const int code = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
    const std::string text = message ? message : "";
    sqlite3_free(message);
    INFO(sql << ": " << text);
    REQUIRE(code == SQLITE_OK);
  }
  std::string single_text(const std::string& sql) {
    sqlite3_stmt* statement = nullptr;
    REQUIRE(sqlite3_prepare_v2(db_, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK);
    std::string value;
    if (sqlite3_step(statement) == SQLITE_ROW && sqlite3_column_text(statement, 0)) {
      value = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
    }
    sqlite3_finalize(statement);
    return value;
  }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace

TEST_CASE("feed state round-trips and survives a restart") {
  TempDir dir;
  const std::string path = dir.file("state.db");
  FeedState feed;
  feed.url = "https://example.org/feed.xml";
  feed.etag = "\"abc-123\"";
  feed.last_modified = "Sat, 28 Nov 2026 04:00:00 GMT";
  feed.redirect_url = "https://example.org/rss";
  feed.last_status = "304";
  feed.last_success = t0 + 1500ms;
  feed.last_attempt = t0 + 2s;
  feed.next_poll = t0 + 5min;
  feed.consecutive_failures = 0;
  feed.ttl = 30min;

  FeedState other;
  other.url = "https://example.net/atom";
  other.last_status = "timeout";
  other.last_attempt = t0;
  other.consecutive_failures = 3;
  {
    auto store = open_store(path);
    CHECK(store->feed(feed.url).value() == std::nullopt);
    REQUIRE(store->save_feed(feed).ok());
    REQUIRE(store->save_feed(other).ok());
    CHECK(store->feed(feed.url).value() == feed);
  }
  auto store = open_store(path);
  CHECK(store->feed(feed.url).value() == feed);
  const auto feeds = store->all_feeds().value();
  REQUIRE(feeds.size() == 2);
  CHECK(feeds[0] == other);  // ordered by URL
  CHECK(feeds[1] == feed);
  CHECK_FALSE(feeds[0].etag.has_value());
  CHECK_FALSE(feeds[0].last_success.has_value());
  CHECK_FALSE(feeds[0].ttl.has_value());
  CHECK(feeds[1].ttl == std::optional<std::chrono::minutes>(30min));

  feed.etag.reset();
  feed.last_status = "200";
  REQUIRE(store->save_feed(feed).ok());
  CHECK(store->feed(feed.url).value()->etag == std::nullopt);
  CHECK(store->feed(feed.url).value()->last_status == "200");

  REQUIRE(store->forget_feed(other.url).ok());
  CHECK(store->all_feeds().value().size() == 1);

  // Several in one transaction: an update and a new feed.
  feed.last_status = "304";
  other.consecutive_failures = 4;
  const FeedState* batch[] = {&feed, &other};
  REQUIRE(store->save_feeds(batch).ok());
  REQUIRE(store->save_feeds({}).ok());
  CHECK(store->feed(feed.url).value() == feed);
  CHECK(store->feed(other.url).value() == other);
}

TEST_CASE("processed articles and the outbox survive a restart") {
  TempDir dir;
  const std::string path = dir.file("state.db");
  {
    auto store = open_store(path);
    CHECK(seen(*store, {"a", "b", "c"}, t0) == std::vector<bool>{false, false, false});
    const auto committed = store->commit_articles({article("a", true), article("b", false)}, t0).value();
    REQUIRE(committed.size() == 2);
    CHECK(committed[0].newly_processed);
    CHECK(committed[0].outbox_id.has_value());
    CHECK(committed[1].newly_processed);
    CHECK_FALSE(committed[1].outbox_id.has_value());
    CHECK(store->outbox_depth() == 1);
  }
  auto store = open_store(path);
  CHECK(seen(*store, {"a", "b", "c"}, t0 + 1s) == std::vector<bool>{true, true, false});
  CHECK(store->outbox_depth() == 1);
  const auto rows = all_pending(*store);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].alert_id == "alert-a");
  CHECK(rows[0].severity == "high");
  CHECK(rows[0].payload == R"({"id":"a"})");
  CHECK(rows[0].created_at == t0);
  CHECK(rows[0].attempts == 0);
  CHECK(rows[0].last_error.empty());
  CHECK(rows[0].source == "https://feeds.example.org/a.rss");
}

TEST_CASE("an article is alerted once, across feeds and within a batch") {
  TempDir dir;
  auto store = open_store(dir.file("state.db"));
  // Feed 1 and feed 2 carry the same article; both passed seen() before either committed.
  auto first = store->commit_articles({article("shared", true)}, t0).value();
  auto second = store->commit_articles({article("shared", true), article("own", true)}, t0 + 1s).value();
  CHECK(first[0].newly_processed);
  CHECK(first[0].outbox_id.has_value());
  CHECK_FALSE(second[0].newly_processed);
  CHECK_FALSE(second[0].outbox_id.has_value());
  CHECK(second[1].outbox_id.has_value());

  auto doubled = store->commit_articles({article("twice", true), article("twice", true)}, t0 + 2s).value();
  CHECK(doubled[0].outbox_id.has_value());
  CHECK_FALSE(doubled[1].newly_processed);
  CHECK_FALSE(doubled[1].outbox_id.has_value());

  const auto rows = all_pending(*store);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].alert_id == "alert-shared");
  CHECK(rows[1].alert_id == "alert-own");
  CHECK(rows[2].alert_id == "alert-twice");
  CHECK(store->outbox_depth() == 3);
}

TEST_CASE("the outbox pages in id order, acknowledges in batches and records failures") {
  TempDir dir;
  const std::string path = dir.file("state.db");
  auto store = open_store(path);
  std::vector<ProcessedArticle> batch;
  for (int i = 0; i < 10; ++i) batch.push_back(article(numbered("n", i), true));
  const auto committed = store->commit_articles(batch, t0).value();
  std::vector<int64_t> ids;
  for (const auto& one : committed) ids.push_back(*one.outbox_id);
  for (std::size_t i = 1; i < ids.size(); ++i) CHECK(ids[i] > ids[i - 1]);

  const auto page1 = store->pending(4, 0).value();
  REQUIRE(page1.size() == 4);
  CHECK(page1[0].id == ids[0]);
  CHECK(page1[3].id == ids[3]);
  const auto page2 = store->pending(4, page1.back().id).value();
  REQUIRE(page2.size() == 4);
  CHECK(page2[0].id == ids[4]);
  CHECK(store->pending(4, ids[9]).value().empty());

  REQUIRE(store->record_failure(ids[0], "broker down").ok());
  const std::vector<DeliveryFailure> failures = {{ids[0], "queue full"}, {ids[1], "timeout"}};
  REQUIRE(store->record_failures(failures).ok());
  auto rows = store->pending(2, 0).value();
  CHECK(rows[0].attempts == 2);
  CHECK(rows[0].last_error == "queue full");
  CHECK(rows[1].attempts == 1);
  CHECK(rows[1].last_error == "timeout");

  const std::vector<int64_t> acked = {ids[0], ids[2], ids[2], 999999};
  CHECK(store->acknowledge(acked).value() == 2);  // repeats and unknown ids are harmless
  CHECK(store->outbox_depth() == 8);
  CHECK(store->acknowledge(std::vector<int64_t>{}).value() == 0);
  rows = all_pending(*store);
  REQUIRE(rows.size() == 8);
  CHECK(rows[0].id == ids[1]);
  CHECK(rows[1].id == ids[3]);

  // Emptying the outbox must not let a new alert reuse an old id (sink cursors, late reports).
  std::vector<int64_t> rest;
  for (const auto& row : rows) rest.push_back(row.id);
  CHECK(store->acknowledge(rest).value() == 8);
  CHECK(store->outbox_depth() == 0);
  store.reset();
  store = open_store(path);
  CHECK(store->outbox_depth() == 0);
  const auto later = store->commit_articles({article("later", true)}, t0 + 1h).value();
  CHECK(*later[0].outbox_id > ids[9]);
}

TEST_CASE("a batch that fails half-way leaves nothing behind") {
  TempDir dir;
  const std::string path = dir.file("state.db");
  auto store = open_store(path);
  REQUIRE(store->commit_articles({article("before", true)}, t0).ok());
  FeedState feed;
  feed.url = "https://example.org/feed";
  feed.etag = "\"new\"";
  feed.last_status = "200";

  SECTION("the schema rejects an empty payload in the middle of the batch") {
    std::vector<ProcessedArticle> batch = {article("x1", true), article("x2", false), article("x3", true)};
    batch[2].alert->payload.clear();
    batch.push_back(article("x4", true));
    auto result = store->commit_articles(batch, t0 + 1s, feed);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().kind == StateErrorKind::constraint);
    CHECK(result.error().path == path);
    CHECK_THAT(result.error().describe(), Catch::Contains("outbox row for alert-x3"));
  }
  SECTION("a failure injected by a trigger on the third outbox row") {
    {
      RawDb raw(path);
      raw.exec(
          "CREATE TRIGGER inject_failure BEFORE INSERT ON outbox WHEN NEW.alert_id = 'alert-x3' "
          "BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
    }
    store.reset();  // the kept statements must see the new schema
    store = open_store(path);
    auto result = store->commit_articles(
        {article("x1", true), article("x2", false), article("x3", true), article("x4", true)}, t0 + 1s, feed);
    REQUIRE_FALSE(result.ok());
    CHECK_THAT(result.error().message, Catch::Contains("injected failure"));
  }

  CHECK(seen(*store, {"before", "x1", "x2", "x3", "x4"}, t0 + 2s) ==
        std::vector<bool>{true, false, false, false, false});
  const auto rows = all_pending(*store);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].alert_id == "alert-before");
  CHECK(store->outbox_depth() == 1);
  CHECK(store->feed(feed.url).value() == std::nullopt);  // the validators went with the batch
  // The store is still usable after the rollback.
  auto retry = store->commit_articles({article("x1", true)}, t0 + 3s, feed);
  REQUIRE(retry.ok());
  CHECK(store->outbox_depth() == 2);
  CHECK(store->feed(feed.url).value()->etag == "\"new\"");
}

TEST_CASE("articles not seen for the configured time expire, and seeing them again keeps them") {
  TempDir dir;
  const std::string path = dir.file("state.db");
  StateOptions options;
  options.article_max_age = 24h * 30;
  options.expire_batch = 7;  // several short transactions
  auto store = open_store(path, options);
  std::vector<ProcessedArticle> batch;
  std::vector<std::string> names;
  for (int i = 0; i < 20; ++i) names.push_back(numbered("old", i));
  for (const auto& name : names) batch.push_back(article(name, false));
  REQUIRE(store->commit_articles(batch, t0).ok());
  REQUIRE(store->commit_articles({article("kept", false), article("fresh", false)}, t0).ok());

  // Seen again on day 20: its last_seen moves forward.
  CHECK(seen(*store, {"kept"}, t0 + 24h * 20) == std::vector<bool>{true});

  auto none = store->expire(t0 + 24h * 29).value();
  CHECK(none.removed == 0);
  CHECK(none.batches == 0);

  auto stats = store->expire(t0 + 24h * 31).value();
  CHECK(stats.removed == 21);  // the 20 old ones and "fresh"
  CHECK(stats.batches == 3);
  std::vector<std::string_view> probe = {"kept", "fresh", "old0", "old19"};
  CHECK(seen(*store, probe, t0 + 24h * 31) == std::vector<bool>{true, false, false, false});
}

TEST_CASE("seen() rewrites last_seen at most once per touch_granularity") {
  TempDir dir;
  const std::string path = dir.file("state.db");
  StateOptions options;
  options.touch_granularity = 1h;
  auto store = open_store(path, options);
  REQUIRE(store->commit_articles({article("a", false)}, t0).ok());
  RawDb raw(path);
  auto last_seen = [&] { return raw.single_text("SELECT last_seen_ms FROM articles"); };
  const std::string at_t0 = last_seen();
  CHECK(at_t0 == unix_ms(t0));
  seen(*store, {"a"}, t0 + 59min);
  CHECK(last_seen() == at_t0);
  seen(*store, {"a"}, t0 + 61min);
  CHECK(last_seen() == unix_ms(t0 + 61min));
  CHECK(raw.single_text("SELECT length(identity_sha256) FROM articles") == "32");
}

TEST_CASE("a corrupt or unusable state file is a clear error naming the path") {
  TempDir dir;
  SECTION("not a database") {
    const std::string path = dir.file("state.db");
    std::ofstream(path) << std::string(8192, 'x');
    auto opened = StateStore::open(path);
    REQUIRE_FALSE(opened.ok());
    CHECK(opened.error().kind == StateErrorKind::corrupt);
    CHECK_THAT(opened.error().describe(), Catch::StartsWith("state file " + path + ": open"));
  }
  SECTION("a damaged database") {
    const std::string path = dir.file("state.db");
    {
      auto store = open_store(path);
      std::vector<ProcessedArticle> batch;
      for (int i = 0; i < 2000; ++i) batch.push_back(article(numbered("article-", i), true));
      REQUIRE(store->commit_articles(batch, t0).ok());
    }
    {
      // Overwrite the pages after the first: the header stays valid, the b-trees do not.
      std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
      file.seekp(4096);
      const std::string garbage(64 * 1024, '\xA5');
      file.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
    }
    auto opened = StateStore::open(path);
    if (opened.ok()) {
      auto check = opened.value()->check_integrity();
      const bool reported = !check.ok() || check.value() != "ok";
      CHECK(reported);
      auto rows = opened.value()->pending(10'000, 0);
      if (!rows.ok()) {
        CHECK(rows.error().kind == StateErrorKind::corrupt);
        CHECK(rows.error().path == path);
      }
    } else {
      CHECK(opened.error().kind == StateErrorKind::corrupt);
      CHECK(opened.error().path == path);
    }
  }
  SECTION("a missing directory") {
    const std::string path = dir.file("missing/state.db");
    auto opened = StateStore::open(path);
    REQUIRE_FALSE(opened.ok());
    CHECK(opened.error().kind == StateErrorKind::cannot_open);
    CHECK_THAT(opened.error().describe(), Catch::Contains(path));
  }
  SECTION("a directory where the file should be") {
    const std::string path = dir.file("state.db");
    std::filesystem::create_directory(path);
    auto opened = StateStore::open(path);
    REQUIRE_FALSE(opened.ok());
    CHECK(opened.error().kind == StateErrorKind::cannot_open);
    CHECK(opened.error().path == path);
  }
  SECTION("a read-only file") {
    const std::string path = dir.file("state.db");
    { open_store(path); }
    std::filesystem::permissions(path, std::filesystem::perms::owner_read);
    using std::filesystem::perms;
    std::filesystem::permissions(dir.path(), perms::owner_read | perms::owner_exec);
    if (geteuid() == 0) {
      WARN("running as root: file permissions do not apply, the read-only case is not exercised");
    } else {
      auto opened = StateStore::open(path);
      REQUIRE_FALSE(opened.ok());
      const auto kind = opened.error().kind;
      CHECK((kind == StateErrorKind::read_only || kind == StateErrorKind::cannot_open));
      CHECK(opened.error().path == path);
    }
  }
}

TEST_CASE("the schema is versioned and a newer one is refused") {
  TempDir dir;
  const std::string path = dir.file("state.db");
  { open_store(path); }
  { open_store(path); }  // reopening does not migrate twice
  {
    RawDb raw(path);
    CHECK(raw.single_text("SELECT group_concat(version) FROM schema_version") == "3");
    CHECK(raw.single_text("PRAGMA journal_mode") == "wal");
    raw.exec("UPDATE schema_version SET version = 99");
  }
  auto opened = StateStore::open(path);
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.error().kind == StateErrorKind::schema_too_new);
  CHECK_THAT(opened.error().describe(), Catch::Contains("99"));
}

TEST_CASE("a schema 1 file opens, migrates to the current schema and keeps its outbox and feeds") {
  TempDir dir;
  const std::string path = dir.file("state.db");
  {
    // The file as newswatch 0.x left it: schema 1 exactly as its migration wrote it, one alert waiting.
    RawDb raw(path);
    raw.exec("PRAGMA journal_mode=WAL");
    raw.exec(R"sql(
      CREATE TABLE schema_version (version INTEGER NOT NULL);
      INSERT INTO schema_version (version) VALUES (1);
      CREATE TABLE feeds (
        url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT, redirect_url TEXT,
        last_status TEXT NOT NULL DEFAULT '', last_success_ms INTEGER, last_attempt_ms INTEGER,
        next_poll_ms INTEGER, consecutive_failures INTEGER NOT NULL DEFAULT 0
      ) WITHOUT ROWID;
      CREATE TABLE articles (
        identity_sha256 BLOB PRIMARY KEY CHECK (length(identity_sha256) = 32),
        first_seen_ms INTEGER NOT NULL, last_seen_ms INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX articles_by_last_seen ON articles (last_seen_ms);
      CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        alert_id TEXT NOT NULL CHECK (length(alert_id) > 0),
        severity TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL,
        payload TEXT NOT NULL CHECK (length(payload) > 0),
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT NOT NULL DEFAULT ''
      );
    )sql");
    raw.exec("INSERT INTO outbox (alert_id, severity, created_at_ms, payload) VALUES ('old-alert', 'low', " +
             unix_ms(t0) + ", '{\"old\":true}')");
    raw.exec(
        "INSERT INTO feeds (url, etag, last_status) VALUES ('https://feeds.example.org/old.rss', '\"v1\"', "
        "'200')");
  }
  {
    auto store = open_store(path);
    CHECK(store->outbox_depth() == 1);
    const auto feed = store->feed("https://feeds.example.org/old.rss").value();
    REQUIRE(feed.has_value());
    CHECK(feed->etag == std::optional<std::string>("\"v1\""));
    CHECK_FALSE(feed->ttl.has_value());  // schema 3's column: no ttl known for an old row
    const auto committed = store->commit_articles({article("new", true)}, t0 + 1s).value();
    REQUIRE(committed[0].outbox_id.has_value());
    const auto rows = all_pending(*store);
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].alert_id == "old-alert");
    CHECK(rows[0].payload == R"({"old":true})");
    CHECK(rows[0].created_at == t0);
    CHECK(rows[0].source.empty());  // unknown for a schema 1 row: the sink falls back
    CHECK(rows[1].alert_id == "alert-new");
    CHECK(rows[1].source == "https://feeds.example.org/new.rss");
    CHECK(rows[1].id > rows[0].id);
  }
  RawDb raw(path);
  CHECK(raw.single_text("SELECT group_concat(version) FROM schema_version") == "3");
  CHECK(raw.single_text("PRAGMA integrity_check") == "ok");
  auto reopened = open_store(path);  // a migrated file opens again without migrating twice
  CHECK(all_pending(*reopened).size() == 2);
}

TEST_CASE("a second writer holding the lock gives a busy error, not a hang or a partial write") {
  TempDir dir;
  const std::string path = dir.file("state.db");
  StateOptions options;
  options.busy_timeout = 50ms;
  auto store = open_store(path, options);
  RawDb other(path);
  other.exec("BEGIN IMMEDIATE");
  auto result = store->commit_articles({article("a", true)}, t0);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().kind == StateErrorKind::busy);
  other.exec("ROLLBACK");
  CHECK(store->commit_articles({article("a", true)}, t0).ok());
  CHECK(store->outbox_depth() == 1);
}
