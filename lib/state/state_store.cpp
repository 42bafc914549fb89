#include "state/state_store.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <utility>

#include "common/sha256.hpp"

// Durability choice (Durability::process_crash, i.e. synchronous=NORMAL, is the default).
// In WAL mode NORMAL writes every commit to the WAL before returning but fsyncs only at checkpoints,
// so a SIGKILL or crash of the process loses nothing committed (the WAL is in the OS page cache);
// only a power loss or kernel crash can drop the last commits, and the file stays consistent either way
// (https://www.sqlite.org/pragma.html#pragma_synchronous). FULL adds an fsync per commit.
// Measured with tests/state/bench/state_bench.cpp on the 2-core build machine (ext4 on a virtual disk,
// fdatasync about 1.5 ms; load average 11 from parallel builds, so absolute figures are low):
//   commit of 50 articles + 10 alerts:  NORMAL 78 transactions/s (3,900 articles/s), FULL 62/s (3,100/s)
//   outbox replay (pending 1000 + acknowledge 1000):  NORMAL 29,400 alerts/s, FULL 24,800 alerts/s
// Both meet the replay target (>= 20,000 alerts/s to Kafka) and far exceed the commit rate of 10,000
// feeds (tens of new articles a second). NORMAL is the default: a power cut may undo the last commits,
// but a feed's validators are undone with its articles (same transaction), so the next poll fetches
// them in full and processes them again. The cost is a possible duplicate alert, which at-least-once
// allows, not a lost one. FULL stays an option for hosts that want no rollback at all.

namespace newswatch {
namespace {

constexpr int kSchemaVersion = 3;

// Each entry migrates from version i to i + 1. Never edit a released entry: append a new one.
constexpr const char* kMigrations[] = {
    // 1: the first schema. An article row exists once the article is processed; its key is the
    // SHA-256 of the identity, so long URLs cost 32 bytes and the index stays small. Outbox ids use
    // AUTOINCREMENT so an id is never reused after the outbox empties: a sink's after_id cursor and a
    // late delivery report must never meet a different alert under an old id.
    R"sql(
      CREATE TABLE feeds (
        url TEXT PRIMARY KEY,
        etag TEXT,
        last_modified TEXT,
        redirect_url TEXT,
        last_status TEXT NOT NULL DEFAULT '',
        last_success_ms INTEGER,
        last_attempt_ms INTEGER,
        next_poll_ms INTEGER,
        consecutive_failures INTEGER NOT NULL DEFAULT 0
      ) WITHOUT ROWID;
      CREATE TABLE articles (
        identity_sha256 BLOB PRIMARY KEY CHECK (length(identity_sha256) = 32),
        first_seen_ms INTEGER NOT NULL,
        last_seen_ms INTEGER NOT NULL
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
    )sql",
    // 2: the feed URL an alert came from, for the sink's CloudEvents ce_source. Rows written by
    // schema 1 get '' and the sink's fallback source.
    R"sql(
      ALTER TABLE outbox ADD COLUMN source TEXT NOT NULL DEFAULT '';
    )sql",
    // 3: a feed's RSS <ttl> in minutes (NULL: none), kept across restarts like its validators.
    R"sql(
      ALTER TABLE feeds ADD COLUMN ttl_minutes INTEGER;
    )sql",
};
static_assert(std::size(kMigrations) == kSchemaVersion);

using IdentityKey = std::array<unsigned char, 32>;

// The key of an identity: its SHA-256 (common/sha256).
IdentityKey identity_key(std::string_view identity) { return sha256(identity); }

int64_t to_ms(StateTime time) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}
StateTime from_ms(int64_t ms) { return StateTime(std::chrono::milliseconds(ms)); }

StateErrorKind kind_of(int code) {
  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return StateErrorKind::busy;
    case SQLITE_FULL:
      return StateErrorKind::disk_full;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return StateErrorKind::corrupt;
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return StateErrorKind::cannot_open;
    case SQLITE_READONLY:
      return StateErrorKind::read_only;
    case SQLITE_IOERR:
      return StateErrorKind::io;
    case SQLITE_CONSTRAINT:
      return StateErrorKind::constraint;
    default:
      return StateErrorKind::other;
  }
}

struct StatementDeleter {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};
using Statement = std::unique_ptr<sqlite3_stmt, StatementDeleter>;

// Resets a kept statement when a use of it ends, however it ends, so it never holds a read lock
// or stale bindings into the next use.
class Use {
 public:
  explicit Use(const Statement& statement) : statement_(statement.get()) {}
  ~Use() {
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
  }
  Use(const Use&) = delete;
  Use& operator=(const Use&) = delete;

  sqlite3_stmt* get() const { return statement_; }

  // Bind indices are fixed by the SQL text; binding only fails on a wrong index (a bug), which the
  // tests would show, so the codes are not checked. SQLITE_STATIC is safe: the data outlives the use.
  void text(int index, std::string_view value) {
    sqlite3_bind_text(statement_, index, value.data() ? value.data() : "", static_cast<int>(value.size()),
                      SQLITE_STATIC);
  }
  void optional_text(int index, const std::optional<std::string>& value) {
    if (value) {
      text(index, std::string_view(*value));
    } else {
      sqlite3_bind_null(statement_, index);
    }
  }
  void integer(int index, int64_t value) { sqlite3_bind_int64(statement_, index, value); }
  void optional_integer(int index, std::optional<int64_t> value) {
    if (value) {
      integer(index, *value);
    } else {
      sqlite3_bind_null(statement_, index);
    }
  }
  void time(int index, const std::optional<StateTime>& value) {
    if (value) {
      integer(index, to_ms(*value));
    } else {
      sqlite3_bind_null(statement_, index);
    }
  }
  void key(int index, const IdentityKey& value) {
    sqlite3_bind_blob(statement_, index, value.data(), static_cast<int>(value.size()), SQLITE_STATIC);
  }

  int step() { return sqlite3_step(statement_); }

  std::string column_text(int index) const {
    const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(statement_, index));
    return data ? std::string(data, static_cast<std::size_t>(sqlite3_column_bytes(statement_, index)))
                : std::string();
  }
  std::optional<std::string> column_optional_text(int index) const {
    if (sqlite3_column_type(statement_, index) == SQLITE_NULL) return std::nullopt;
    return column_text(index);
  }
  int64_t column_integer(int index) const { return sqlite3_column_int64(statement_, index); }
  bool column_present(int index) const { return sqlite3_column_type(statement_, index) != SQLITE_NULL; }
  std::optional<StateTime> column_time(int index) const {
    if (sqlite3_column_type(statement_, index) == SQLITE_NULL) return std::nullopt;
    return from_ms(column_integer(index));
  }

 private:
  sqlite3_stmt* statement_;
};

constexpr const char* kFeedColumns =
    "url, etag, last_modified, redirect_url, last_status, last_success_ms, last_attempt_ms, next_poll_ms, "
    "consecutive_failures, ttl_minutes";

}  // namespace

const char* to_string(StateErrorKind kind) {
  switch (kind) {
    case StateErrorKind::busy:
      return "busy";
    case StateErrorKind::disk_full:
      return "disk_full";
    case StateErrorKind::corrupt:
      return "corrupt";
    case StateErrorKind::cannot_open:
      return "cannot_open";
    case StateErrorKind::read_only:
      return "read_only";
    case StateErrorKind::io:
      return "io";
    case StateErrorKind::constraint:
      return "constraint";
    case StateErrorKind::schema_too_new:
      return "schema_too_new";
    case StateErrorKind::other:
      return "other";
  }
  return "other";
}

std::string StateError::describe() const {
  std::string text = "state file " + path + ": " + operation + ": " + to_string(kind) + ": " + message;
  if (sqlite_code != 0) text += " (sqlite code " + std::to_string(sqlite_code) + ")";
  return text;
}

class StateStore::Impl {
 public:
  Impl(std::string path, StateOptions options) : path_(std::move(path)), options_(options) {}
  ~Impl() {
    statements_ = {};  // every statement must be finalized before the connection closes
    sqlite3_close_v2(db_);
  }

  std::optional<StateError> open();

  StateError error(std::string_view operation) const {
    const int code = db_ ? sqlite3_extended_errcode(db_) : SQLITE_NOMEM;
    const char* message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    return StateError{kind_of(code), path_, std::string(operation), message, code};
  }
  StateError error(std::string_view operation, StateErrorKind kind, std::string message) const {
    return StateError{kind, path_, std::string(operation), std::move(message), 0};
  }

  // Runs a statement that returns no rows to the end.
  bool run(const Statement& statement) {
    Use use(statement);
    return use.step() == SQLITE_DONE;
  }

  // A write transaction that rolls back unless committed. BEGIN IMMEDIATE takes the write lock up
  // front, so a busy database fails here (after busy_timeout) and never half-way through a batch.
  class Transaction {
   public:
    explicit Transaction(Impl& impl) : impl_(impl) {}
    ~Transaction() {
      // SQLite itself rolls back on some errors (SQLITE_FULL, IOERR); then there is nothing to undo.
      if (begun_ && !committed_ && !sqlite3_get_autocommit(impl_.db_)) impl_.run(impl_.statements_.rollback);
    }
    bool begin() { return begun_ = impl_.run(impl_.statements_.begin); }
    bool commit() { return committed_ = impl_.run(impl_.statements_.commit); }

   private:
    Impl& impl_;
    bool begun_ = false;
    bool committed_ = false;
  };

  const std::string& path() const { return path_; }
  const StateOptions& options() const { return options_; }

  StateResult<std::optional<FeedState>> feed(std::string_view url);
  StateResult<std::vector<FeedState>> all_feeds();
  StateResult<StateDone> save_feed(const FeedState& feed);
  StateResult<StateDone> save_feeds(std::span<const FeedState* const> feeds);
  StateResult<StateDone> forget_feed(std::string_view url);
  StateResult<std::vector<bool>> seen(const std::vector<std::string_view>& identities, StateTime now);
  StateResult<std::vector<CommittedArticle>> commit_articles(const std::vector<ProcessedArticle>& articles,
                                                             StateTime now,
                                                             const std::optional<FeedState>& feed);
  StateResult<ExpireStats> expire(StateTime now);
  StateResult<std::vector<OutboxRow>> pending(std::size_t limit, int64_t after_id);
  StateResult<std::size_t> acknowledge(std::span<const int64_t> ids);
  StateResult<StateDone> record_failures(std::span<const DeliveryFailure> failures);
  StateResult<std::string> check_integrity();
  std::size_t outbox_depth() const { return outbox_depth_; }

 private:
  struct Statements {
    Statement begin, commit, rollback;
    Statement feed_get, feed_all, feed_put, feed_delete;
    Statement article_last_seen, article_touch, article_insert, article_expire;
    Statement outbox_insert, outbox_pending, outbox_delete, outbox_fail, outbox_count;
  };

  bool exec(const char* sql) { return sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) == SQLITE_OK; }
  bool prepare(Statement& statement, const char* sql);
  std::optional<StateError> configure();
  std::optional<StateError> migrate();
  std::optional<StateError> prepare_all();
  bool put_feed(const FeedState& feed);
  static FeedState read_feed(const Use& use);

  std::string path_;
  StateOptions options_;
  sqlite3* db_ = nullptr;
  Statements statements_;
  std::size_t outbox_depth_ = 0;
};

std::optional<StateError> StateStore::Impl::open() {
  // NOMUTEX: one thread uses the store, so SQLite's own locking would only cost time.
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path_.c_str(), &db_, flags, nullptr) != SQLITE_OK) return error("open");
  sqlite3_extended_result_codes(db_, 1);
  if (auto failed = configure()) return failed;
  if (auto failed = migrate()) return failed;
  if (auto failed = prepare_all()) return failed;
  {
    Use count(statements_.outbox_count);
    if (count.step() != SQLITE_ROW) return error("open: count outbox");
    outbox_depth_ = static_cast<std::size_t>(count.column_integer(0));
  }
  return std::nullopt;
}

std::optional<StateError> StateStore::Impl::configure() {
  sqlite3_busy_timeout(db_, static_cast<int>(options_.busy_timeout.count()));
  // The first read of the file happens here, so this is where a corrupt or foreign file shows.
  Statement journal;
  if (!prepare(journal, "PRAGMA journal_mode=WAL")) return error("open: journal_mode");
  {
    Use use(journal);
    if (use.step() != SQLITE_ROW) return error("open: journal_mode");
    if (use.column_text(0) != "wal") {
      return error("open: journal_mode", StateErrorKind::other,
                   "cannot switch to WAL (journal_mode is " + use.column_text(0) + ")");
    }
  }
  const char* synchronous =
      options_.durability == Durability::power_loss ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL";
  if (!exec(synchronous)) return error("open: synchronous");
  // Debian builds SQLite with SQLITE_SECURE_DELETE, which zeroes every deleted row on disk. An outbox
  // row (about 2 KB) fills most of a page, so acknowledging it then rewrites whole pages into the WAL:
  // measured 46 us per acknowledged alert against 8 us with FAST, which zeroes only where it costs no
  // extra I/O (https://www.sqlite.org/pragma.html#pragma_secure_delete). Nothing in the file is secret.
  if (!exec("PRAGMA secure_delete=FAST")) return error("open: secure_delete");
  return std::nullopt;
}

std::optional<StateError> StateStore::Impl::migrate() {
  // Under BEGIN IMMEDIATE so two processes opening a fresh file cannot both create the schema.
  if (!exec("BEGIN IMMEDIATE")) return error("open: begin migration");
  auto fail = [this](std::string_view what) {
    StateError failed = error(what);
    exec("ROLLBACK");
    return failed;
  };
  if (!exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")) {
    return fail("open: schema_version");
  }
  int version = 0;
  {
    Statement read;
    if (!prepare(read, "SELECT max(version) FROM schema_version")) return fail("open: schema_version");
    Use use(read);
    if (use.step() != SQLITE_ROW) return fail("open: schema_version");
    version = static_cast<int>(use.column_integer(0));
  }
  if (version > kSchemaVersion) {
    exec("ROLLBACK");
    return error("open", StateErrorKind::schema_too_new,
                 "schema version " + std::to_string(version) + " is newer than this build's " +
                     std::to_string(kSchemaVersion));
  }
  for (; version < kSchemaVersion; ++version) {
    if (!exec(kMigrations[version])) return fail("open: migrate to schema " + std::to_string(version + 1));
  }
  if (!exec("DELETE FROM schema_version") ||
      !exec(("INSERT INTO schema_version (version) VALUES (" + std::to_string(version) + ")").c_str())) {
    return fail("open: schema_version");
  }
  if (!exec("COMMIT")) return fail("open: commit migration");
  return std::nullopt;
}

bool StateStore::Impl::prepare(Statement& statement, const char* sql) {
  sqlite3_stmt* raw = nullptr;
  const int code = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
  statement.reset(raw);
  return code == SQLITE_OK;
}

std::optional<StateError> StateStore::Impl::prepare_all() {
  const std::string feed_select = std::string("SELECT ") + kFeedColumns + " FROM feeds";
  const std::string feed_put = std::string("INSERT OR REPLACE INTO feeds (") + kFeedColumns +
                               ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
  const std::pair<Statement*, std::string> all[] = {
      {&statements_.begin, "BEGIN IMMEDIATE"},
      {&statements_.commit, "COMMIT"},
      {&statements_.rollback, "ROLLBACK"},
      {&statements_.feed_get, feed_select + " WHERE url = ?1"},
      {&statements_.feed_all, feed_select + " ORDER BY url"},
      {&statements_.feed_put, feed_put},
      {&statements_.feed_delete, "DELETE FROM feeds WHERE url = ?1"},
      {&statements_.article_last_seen, "SELECT last_seen_ms FROM articles WHERE identity_sha256 = ?1"},
      {&statements_.article_touch, "UPDATE articles SET last_seen_ms = ?2 WHERE identity_sha256 = ?1"},
      {&statements_.article_insert,
       "INSERT INTO articles (identity_sha256, first_seen_ms, last_seen_ms) VALUES (?1, ?2, ?2) "
       "ON CONFLICT (identity_sha256) DO NOTHING"},
      {&statements_.article_expire,
       "DELETE FROM articles WHERE identity_sha256 IN "
       "(SELECT identity_sha256 FROM articles WHERE last_seen_ms < ?1 LIMIT ?2)"},
      {&statements_.outbox_insert,
       "INSERT INTO outbox (alert_id, severity, created_at_ms, payload, source) VALUES (?1, ?2, ?3, ?4, ?5)"},
      {&statements_.outbox_pending,
       "SELECT id, alert_id, severity, created_at_ms, payload, attempts, last_error, source FROM outbox "
       "WHERE id > ?1 ORDER BY id LIMIT ?2"},
      {&statements_.outbox_delete, "DELETE FROM outbox WHERE id BETWEEN ?1 AND ?2"},
      {&statements_.outbox_fail, "UPDATE outbox SET attempts = attempts + 1, last_error = ?2 WHERE id = ?1"},
      {&statements_.outbox_count, "SELECT count(*) FROM outbox"},
  };
  for (const auto& [statement, sql] : all) {
    if (!prepare(*statement, sql.c_str())) return error("open: prepare \"" + sql + "\"");
  }
  return std::nullopt;
}

FeedState StateStore::Impl::read_feed(const Use& use) {
  FeedState feed;
  feed.url = use.column_text(0);
  feed.etag = use.column_optional_text(1);
  feed.last_modified = use.column_optional_text(2);
  feed.redirect_url = use.column_optional_text(3);
  feed.last_status = use.column_text(4);
  feed.last_success = use.column_time(5);
  feed.last_attempt = use.column_time(6);
  feed.next_poll = use.column_time(7);
  feed.consecutive_failures = static_cast<int>(use.column_integer(8));
  if (use.column_present(9)) feed.ttl = std::chrono::minutes(use.column_integer(9));
  return feed;
}

StateResult<std::optional<FeedState>> StateStore::Impl::feed(std::string_view url) {
  Use use(statements_.feed_get);
  use.text(1, url);
  switch (use.step()) {
    case SQLITE_ROW:
      return std::optional<FeedState>(read_feed(use));
    case SQLITE_DONE:
      return std::optional<FeedState>();
    default:
      return error("feed");
  }
}

StateResult<std::vector<FeedState>> StateStore::Impl::all_feeds() {
  std::vector<FeedState> feeds;
  Use use(statements_.feed_all);
  int code;
  while ((code = use.step()) == SQLITE_ROW) feeds.push_back(read_feed(use));
  if (code != SQLITE_DONE) return error("all_feeds");
  return feeds;
}

bool StateStore::Impl::put_feed(const FeedState& feed) {
  Use use(statements_.feed_put);
  use.text(1, feed.url);
  use.optional_text(2, feed.etag);
  use.optional_text(3, feed.last_modified);
  use.optional_text(4, feed.redirect_url);
  use.text(5, feed.last_status);
  use.time(6, feed.last_success);
  use.time(7, feed.last_attempt);
  use.time(8, feed.next_poll);
  use.integer(9, feed.consecutive_failures);
  use.optional_integer(10, feed.ttl ? std::optional<int64_t>(feed.ttl->count()) : std::nullopt);
  return use.step() == SQLITE_DONE;
}

StateResult<StateDone> StateStore::Impl::save_feed(const FeedState& feed) {
  if (!put_feed(feed)) return error("save_feed");
  return StateDone{};
}

StateResult<StateDone> StateStore::Impl::save_feeds(std::span<const FeedState* const> feeds) {
  if (feeds.empty()) return StateDone{};
  Transaction transaction(*this);
  if (!transaction.begin()) return error("save_feeds: begin");
  for (const FeedState* feed : feeds) {
    if (!put_feed(*feed)) return error("save_feeds");
  }
  if (!transaction.commit()) return error("save_feeds: commit");
  return StateDone{};
}

StateResult<StateDone> StateStore::Impl::forget_feed(std::string_view url) {
  Use use(statements_.feed_delete);
  use.text(1, url);
  if (use.step() != SQLITE_DONE) return error("forget_feed");
  return StateDone{};
}

StateResult<std::vector<bool>> StateStore::Impl::seen(const std::vector<std::string_view>& identities,
                                                      StateTime now) {
  std::vector<bool> processed(identities.size(), false);
  std::vector<IdentityKey> stale;  // known, with a last_seen older than touch_granularity
  const int64_t touch_before = to_ms(now - options_.touch_granularity);
  for (std::size_t i = 0; i < identities.size(); ++i) {
    const IdentityKey key = identity_key(identities[i]);
    Use use(statements_.article_last_seen);
    use.key(1, key);
    const int code = use.step();
    if (code == SQLITE_ROW) {
      processed[i] = true;
      if (use.column_integer(0) < touch_before) stale.push_back(key);
    } else if (code != SQLITE_DONE) {
      return error("seen");
    }
  }
  if (stale.empty()) return processed;

  Transaction transaction(*this);
  if (!transaction.begin()) return error("seen: begin");
  for (const IdentityKey& key : stale) {
    Use use(statements_.article_touch);
    use.key(1, key);
    use.integer(2, to_ms(now));
    if (use.step() != SQLITE_DONE) return error("seen: refresh last_seen");
  }
  if (!transaction.commit()) return error("seen: commit");
  return processed;
}

StateResult<std::vector<CommittedArticle>> StateStore::Impl::commit_articles(
    const std::vector<ProcessedArticle>& articles, StateTime now, const std::optional<FeedState>& feed) {
  std::vector<CommittedArticle> committed(articles.size());
  std::size_t inserted_alerts = 0;
  Transaction transaction(*this);
  if (!transaction.begin()) return error("commit_articles: begin");
  for (std::size_t i = 0; i < articles.size(); ++i) {
    {
      Use use(statements_.article_insert);
      const IdentityKey key = identity_key(articles[i].identity);
      use.key(1, key);
      use.integer(2, to_ms(now));
      if (use.step() != SQLITE_DONE) return error("commit_articles: mark processed");
    }
    committed[i].newly_processed = sqlite3_changes(db_) == 1;
    if (!committed[i].newly_processed || !articles[i].alert) continue;

    const OutboxEntry& alert = *articles[i].alert;
    Use use(statements_.outbox_insert);
    use.text(1, alert.alert_id);
    use.text(2, alert.severity);
    use.integer(3, to_ms(now));
    use.text(4, alert.payload);
    use.text(5, alert.source);
    if (use.step() != SQLITE_DONE) return error("commit_articles: outbox row for " + alert.alert_id);
    committed[i].outbox_id = sqlite3_last_insert_rowid(db_);
    ++inserted_alerts;
  }
  if (feed && !put_feed(*feed)) return error("commit_articles: save feed " + feed->url);
  if (!transaction.commit()) return error("commit_articles: commit");
  outbox_depth_ += inserted_alerts;
  return committed;
}

StateResult<ExpireStats> StateStore::Impl::expire(StateTime now) {
  ExpireStats stats;
  const int64_t cutoff = to_ms(now - options_.article_max_age);
  const auto batch = static_cast<int64_t>(options_.expire_batch == 0 ? 1 : options_.expire_batch);
  for (;;) {
    {
      Use use(statements_.article_expire);
      use.integer(1, cutoff);
      use.integer(2, batch);
      if (use.step() != SQLITE_DONE) return error("expire");
    }
    const auto removed = static_cast<std::size_t>(sqlite3_changes(db_));
    stats.removed += removed;
    if (removed > 0) ++stats.batches;
    if (removed < static_cast<std::size_t>(batch)) return stats;
  }
}

StateResult<std::vector<OutboxRow>> StateStore::Impl::pending(std::size_t limit, int64_t after_id) {
  std::vector<OutboxRow> rows;
  Use use(statements_.outbox_pending);
  use.integer(1, after_id);
  use.integer(2, static_cast<int64_t>(limit));
  int code;
  while ((code = use.step()) == SQLITE_ROW) {
    OutboxRow row;
    row.id = use.column_integer(0);
    row.alert_id = use.column_text(1);
    row.severity = use.column_text(2);
    row.created_at = from_ms(use.column_integer(3));
    row.payload = use.column_text(4);
    row.attempts = static_cast<int>(use.column_integer(5));
    row.last_error = use.column_text(6);
    row.source = use.column_text(7);
    rows.push_back(std::move(row));
  }
  if (code != SQLITE_DONE) return error("pending");
  return rows;
}

StateResult<std::size_t> StateStore::Impl::acknowledge(std::span<const int64_t> ids) {
  if (ids.empty()) return std::size_t{0};
  // Reports arrive mostly in id order, so sorted ids form long runs: one range delete per run.
  std::vector<int64_t> sorted(ids.begin(), ids.end());
  std::sort(sorted.begin(), sorted.end());
  std::size_t deleted = 0;
  Transaction transaction(*this);
  if (!transaction.begin()) return error("acknowledge: begin");
  for (std::size_t first = 0; first < sorted.size();) {
    std::size_t last = first;
    while (last + 1 < sorted.size() && sorted[last + 1] <= sorted[last] + 1) ++last;
    Use use(statements_.outbox_delete);
    use.integer(1, sorted[first]);
    use.integer(2, sorted[last]);
    if (use.step() != SQLITE_DONE) return error("acknowledge");
    deleted += static_cast<std::size_t>(sqlite3_changes(db_));
    first = last + 1;
  }
  if (!transaction.commit()) return error("acknowledge: commit");
  outbox_depth_ -= deleted;
  return deleted;
}

StateResult<StateDone> StateStore::Impl::record_failures(std::span<const DeliveryFailure> failures) {
  if (failures.empty()) return StateDone{};
  Transaction transaction(*this);
  if (!transaction.begin()) return error("record_failures: begin");
  for (const DeliveryFailure& failure : failures) {
    Use use(statements_.outbox_fail);
    use.integer(1, failure.outbox_id);
    use.text(2, failure.error);
    if (use.step() != SQLITE_DONE) return error("record_failures");
  }
  if (!transaction.commit()) return error("record_failures: commit");
  return StateDone{};
}

StateResult<std::string> StateStore::Impl::check_integrity() {
  Statement check;
  if (!prepare(check, "PRAGMA integrity_check")) return error("check_integrity");
  Use use(check);
  std::string report;
  int code;
  while ((code = use.step()) == SQLITE_ROW) {
    if (!report.empty()) report += '\n';
    report += use.column_text(0);
  }
  if (code != SQLITE_DONE) return error("check_integrity");
  return report;
}

// StateStore: the public face forwards to Impl, which keeps SQLite out of the header.

StateResult<std::unique_ptr<StateStore>> StateStore::open(const std::string& path, StateOptions options) {
  auto impl = std::make_unique<Impl>(path, options);
  if (auto failed = impl->open()) return *failed;
  return std::unique_ptr<StateStore>(new StateStore(std::move(impl)));
}

StateStore::StateStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
StateStore::~StateStore() = default;

const std::string& StateStore::path() const { return impl_->path(); }
StateResult<std::optional<FeedState>> StateStore::feed(std::string_view url) { return impl_->feed(url); }
StateResult<std::vector<FeedState>> StateStore::all_feeds() { return impl_->all_feeds(); }
StateResult<StateDone> StateStore::save_feed(const FeedState& feed) { return impl_->save_feed(feed); }
StateResult<StateDone> StateStore::save_feeds(std::span<const FeedState* const> feeds) {
  return impl_->save_feeds(feeds);
}
StateResult<StateDone> StateStore::forget_feed(std::string_view url) { return impl_->forget_feed(url); }
StateResult<std::vector<bool>> StateStore::seen(const std::vector<std::string_view>& identities,
                                                StateTime now) {
  return impl_->seen(identities, now);
}
StateResult<std::vector<CommittedArticle>> StateStore::commit_articles(
    const std::vector<ProcessedArticle>& articles, StateTime now, const std::optional<FeedState>& feed) {
  return impl_->commit_articles(articles, now, feed);
}
StateResult<ExpireStats> StateStore::expire(StateTime now) { return impl_->expire(now); }
StateResult<std::vector<OutboxRow>> StateStore::pending(std::size_t limit, int64_t after_id) {
  return impl_->pending(limit, after_id);
}
StateResult<std::size_t> StateStore::acknowledge(std::span<const int64_t> ids) {
  return impl_->acknowledge(ids);
}
StateResult<StateDone> StateStore::record_failures(std::span<const DeliveryFailure> failures) {
  return impl_->record_failures(failures);
}
StateResult<StateDone> StateStore::record_failure(int64_t outbox_id, std::string_view error) {
  const DeliveryFailure failure{outbox_id, std::string(error)};
  return impl_->record_failures(std::span<const DeliveryFailure>(&failure, 1));
}
std::size_t StateStore::outbox_depth() const { return impl_->outbox_depth(); }
StateResult<std::string> StateStore::check_integrity() { return impl_->check_integrity(); }

}  // namespace newswatch
